import multer from 'multer';

/** Lead files are small: 2 MB holds far more than the 5,000 rows an import may have. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/** One file in field `file`, kept in memory; too big or too many files is a 4xx, never a crash. */
export const leadFileUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } }).single('file');

export const isUploadError = (err: unknown): err is multer.MulterError => err instanceof multer.MulterError;
