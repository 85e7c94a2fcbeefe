import { randomUUID } from 'node:crypto';
import { ImageDownloadError, imageSourceFromFile } from '../shared/image-source.ts';
import type { ImageSource } from '../shared/image-transform.ts';
import type { MultipartFile } from '../shared/multipart.ts';

/** A file accepted by `POST /v3/upload`. */
export interface EdenAIUpload {
  /** The `file_id` edits name it by. */
  id: string;
  fileName: string;
  /** Bytes received. */
  size: number;
  mimeType: string;
  /** What the client said it is for (`general` unless it said). */
  purpose: string;
  createdAt: Date;
  /** After this, edits naming it fail as with an unknown `file_id`. */
  expiresAt: Date;
  /** The picture, as edits read it. */
  source: ImageSource;
}

/** The files uploaded to one simulator, which edits may name by `file_id` until they expire. */
export class EdenAIUploadStore {
  readonly #uploads = new Map<string, EdenAIUpload>();

  /** Keeps an uploaded file for `days`. */
  add(options: { file: MultipartFile; purpose: string; days: number }): EdenAIUpload {
    const { file } = options;
    const createdAt = new Date();
    const upload: EdenAIUpload = {
      id: randomUUID(),
      fileName: file.filename,
      size: file.size,
      mimeType: file.contentType,
      purpose: options.purpose,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + options.days * 24 * 60 * 60 * 1000),
      source: imageSourceFromFile(file),
    };
    this.#uploads.set(upload.id, upload);
    return upload;
  }

  /** The picture behind a `file_id`; an unknown or expired one fails as a missing input image. */
  imageSource(fileId: string): ImageSource {
    const upload = this.#uploads.get(fileId);
    if (upload === undefined || upload.expiresAt.getTime() <= Date.now()) {
      throw new ImageDownloadError({ message: `File not found: ${fileId}`, url: fileId });
    }
    return upload.source;
  }

  /** Every upload, oldest first, or only those of one `purpose`. */
  list(purpose: string | null): EdenAIUpload[] {
    return [...this.#uploads.values()].filter((upload) => purpose === null || upload.purpose === purpose);
  }

  /** Forgets an upload; says whether it was there. */
  delete(fileId: string): boolean {
    return this.#uploads.delete(fileId);
  }
}

/** An upload as Eden's API shows it, in the answer to an upload and in the list of uploads. */
export function serializeEdenAIUpload(upload: EdenAIUpload) {
  return {
    file_id: upload.id,
    file_name: upload.fileName,
    file_size: upload.size,
    file_mimetype: upload.mimeType,
    purpose: upload.purpose,
    metadata: {},
    created_at: upload.createdAt.toISOString(),
    expires_at: upload.expiresAt.toISOString(),
  };
}
