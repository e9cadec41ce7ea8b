;; facekit core's dot-product kernel: every dot product between two blocks of rows, four lanes at
;; a time (WebAssembly SIMD). Compiled to the bytes in dot-products-wasm.generated.ts by scripts/dot-products-wasm.mjs.
;; Rows are `dim` floats (a multiple of 4); `aCount` is even and `bCount` a multiple of 4 (the
;; caller pads). out[x * bCount + y] = a[x] · b[y]; 2 × 4 rows at a time.
(module
  (memory (export "memory") 1)
  (func (export "dotProducts")
    (param $a i32) (param $aCount i32) (param $b i32) (param $bCount i32) (param $dim i32)
    (param $out i32)
    (local $rowBytes i32) (local $x i32) (local $y i32) (local $j i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $o0 i32) (local $o1 i32)
    (local $p0 v128) (local $p1 v128) (local $q0 v128) (local $q1 v128) (local $q2 v128)
    (local $q3 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $doneX
      (loop $nextX
        (br_if $doneX (i32.ge_u (local.get $x) (local.get $aCount)))
        (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $x) (local.get $rowBytes))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $rowBytes)))
        (local.set $o0
          (i32.add (local.get $out)
            (i32.shl (i32.mul (local.get $x) (local.get $bCount)) (i32.const 2))))
        (local.set $o1 (i32.add (local.get $o0) (i32.shl (local.get $bCount) (i32.const 2))))
        (local.set $y (i32.const 0))
        (block $doneY
          (loop $nextY
            (br_if $doneY (i32.ge_u (local.get $y) (local.get $bCount)))
            (local.set $b0
              (i32.add (local.get $b) (i32.mul (local.get $y) (local.get $rowBytes))))
            (local.set $b1 (i32.add (local.get $b0) (local.get $rowBytes)))
            (local.set $b2 (i32.add (local.get $b1) (local.get $rowBytes)))
            (local.set $b3 (i32.add (local.get $b2) (local.get $rowBytes)))
            (local.set $s00 (v128.const i32x4 0 0 0 0))
            (local.set $s01 (v128.const i32x4 0 0 0 0))
            (local.set $s02 (v128.const i32x4 0 0 0 0))
            (local.set $s03 (v128.const i32x4 0 0 0 0))
            (local.set $s10 (v128.const i32x4 0 0 0 0))
            (local.set $s11 (v128.const i32x4 0 0 0 0))
            (local.set $s12 (v128.const i32x4 0 0 0 0))
            (local.set $s13 (v128.const i32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (block $doneJ
              (loop $nextJ
                (br_if $doneJ (i32.ge_u (local.get $j) (local.get $rowBytes)))
                (local.set $p0 (v128.load (i32.add (local.get $a0) (local.get $j))))
                (local.set $p1 (v128.load (i32.add (local.get $a1) (local.get $j))))
                (local.set $q0 (v128.load (i32.add (local.get $b0) (local.get $j))))
                (local.set $q1 (v128.load (i32.add (local.get $b1) (local.get $j))))
                (local.set $q2 (v128.load (i32.add (local.get $b2) (local.get $j))))
                (local.set $q3 (v128.load (i32.add (local.get $b3) (local.get $j))))
                (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $p0) (local.get $q0))))
                (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $p0) (local.get $q1))))
                (local.set $s02 (f32x4.add (local.get $s02) (f32x4.mul (local.get $p0) (local.get $q2))))
                (local.set $s03 (f32x4.add (local.get $s03) (f32x4.mul (local.get $p0) (local.get $q3))))
                (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $p1) (local.get $q0))))
                (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $p1) (local.get $q1))))
                (local.set $s12 (f32x4.add (local.get $s12) (f32x4.mul (local.get $p1) (local.get $q2))))
                (local.set $s13 (f32x4.add (local.get $s13) (f32x4.mul (local.get $p1) (local.get $q3))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $nextJ)))
            (v128.store (i32.add (local.get $o0) (i32.shl (local.get $y) (i32.const 2)))
              (call $sums (local.get $s00) (local.get $s01) (local.get $s02) (local.get $s03)))
            (v128.store (i32.add (local.get $o1) (i32.shl (local.get $y) (i32.const 2)))
              (call $sums (local.get $s10) (local.get $s11) (local.get $s12) (local.get $s13)))
            (local.set $y (i32.add (local.get $y) (i32.const 4)))
            (br $nextY)))
        (local.set $x (i32.add (local.get $x) (i32.const 2)))
        (br $nextX))))
  ;; [Σ lanes of s0, Σ s1, Σ s2, Σ s3], by two rounds of interleaving adds.
  (func $sums (param $s0 v128) (param $s1 v128) (param $s2 v128) (param $s3 v128) (result v128)
    (local $t01 v128) (local $t23 v128)
    (local.set $t01
      (f32x4.add
        (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
        (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
    (local.set $t23
      (f32x4.add
        (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
        (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t01) (local.get $t23))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t01) (local.get $t23)))))
