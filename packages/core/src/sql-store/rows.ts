import type { CollectionRecord, FaceMetadata, UserRecord } from '../storage/face-store.js';

/**
 * Rows of the tables every SQL store keeps (`collections`, `faces`, `users`), as drivers return
 * them. Integer columns are `number`, or `string` where the driver returns 64-bit integers as
 * text (node-postgres' int8).
 */
export type SqlInt = number | string;

export interface CollectionRow<Int extends SqlInt = SqlInt> {
  seq: Int;
  collection_id: string;
  face_model_version: string;
  created_at: Int;
}

export interface FaceRow<Int extends SqlInt = SqlInt> {
  seq: Int;
  face_id: string;
  image_id: string;
  external_image_id: string | null;
  bbox_width: number;
  bbox_height: number;
  bbox_left: number;
  bbox_top: number;
  confidence: number;
  index_faces_model_version: string;
  user_id: string | null;
  created_at: Int;
}

export interface UserRow<Int extends SqlInt = SqlInt> {
  seq: Int;
  user_id: string;
  created_at: Int;
  face_count: Int;
}

/** The {@link FaceRow} columns, selected from `faces f LEFT JOIN users u ON u.seq = f.user_seq`. */
export const FACE_COLUMNS = `f.seq, f.face_id, f.image_id, f.external_image_id, f.bbox_width,
  f.bbox_height, f.bbox_left, f.bbox_top, f.confidence, f.index_faces_model_version,
  u.user_id, f.created_at`;

export function collectionRecord(row: CollectionRow): CollectionRecord {
  return {
    collectionId: row.collection_id,
    faceModelVersion: row.face_model_version,
    createdAt: Number(row.created_at),
  };
}

export function faceMetadata(row: FaceRow): FaceMetadata {
  const face: FaceMetadata = {
    faceId: row.face_id,
    imageId: row.image_id,
    boundingBox: {
      width: row.bbox_width,
      height: row.bbox_height,
      left: row.bbox_left,
      top: row.bbox_top,
    },
    confidence: row.confidence,
    indexFacesModelVersion: row.index_faces_model_version,
    createdAt: Number(row.created_at),
  };
  if (row.external_image_id !== null) face.externalImageId = row.external_image_id;
  if (row.user_id !== null) face.userId = row.user_id;
  return face;
}

export function userRecord(row: UserRow): UserRecord {
  return {
    userId: row.user_id,
    createdAt: Number(row.created_at),
    faceCount: Number(row.face_count),
  };
}
