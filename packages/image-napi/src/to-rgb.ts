const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Converts the pixels `rawPixels()` returns (the image's own layout: 1–4 channels of 8- or
 * 16-bit native-endian samples) to 8-bit RGB. Gray is replicated; alpha is dropped, not
 * composited (the colour stored under a transparent pixel is kept, as PIL's `convert('RGB')`
 * does); 16-bit samples are rounded to 8 bits. 3-channel 8-bit input is returned as a view,
 * without a copy.
 * @internal
 */
export function toRgb(
  raw: Uint8Array,
  pixels: number,
  channels: number,
  bytesPerSample: 1 | 2,
): Uint8Array {
  if (channels === 3 && bytesPerSample === 1) {
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }
  const out = new Uint8Array(pixels * 3);
  const colour = channels >= 3; // else gray (1) or gray+alpha (2)
  if (bytesPerSample === 1) {
    for (let p = 0, s = 0, o = 0; p < pixels; p++, s += channels, o += 3) {
      if (colour) {
        out[o] = raw[s];
        out[o + 1] = raw[s + 1];
        out[o + 2] = raw[s + 2];
      } else {
        out[o] = out[o + 1] = out[o + 2] = raw[s];
      }
    }
    return out;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const at = (i: number) => ((view.getUint16(i * 2, LITTLE_ENDIAN) * 255 + 32767) / 65535) | 0;
  for (let p = 0, s = 0, o = 0; p < pixels; p++, s += channels, o += 3) {
    if (colour) {
      out[o] = at(s);
      out[o + 1] = at(s + 1);
      out[o + 2] = at(s + 2);
    } else {
      out[o] = out[o + 1] = out[o + 2] = at(s);
    }
  }
  return out;
}
