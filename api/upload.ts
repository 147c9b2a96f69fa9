import multer from 'multer';

/**
 * Lead files are small: 2 MB holds far more than the 5,000 rows an import may have. The size of the
 * upload bounds nothing once it is unzipped or split into cells: services/lead-file-limits.ts checks
 * those while the file is read.
 */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/**
 * One file in field `file`, kept in memory; too big or too many files is a 4xx, never a crash. The form's
 * only other field is its CSRF token: multer's default of 1 MB per text field would let ten of them hold
 * 10 MB in memory, so text fields are kept to 1 KB.
 */
export const leadFileUpload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 1024, parts: 11 },
}).single('file');

export const isUploadError = (err: unknown): err is multer.MulterError => err instanceof multer.MulterError;
