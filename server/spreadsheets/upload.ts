import type { RequestHandler } from 'express'
import multer from 'multer'
import { importLimits } from './import/parse.js'

declare global {
  namespace Express {
    interface Locals {
      /** Why an upload was cut off (multer's code), for the upload page to explain. */
      uploadError?: string
    }
  }
}

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: importLimits.bytes, files: 1, fields: 10, fieldSize: 10_000, parts: 11 },
  // Browsers send the file's name as UTF-8; busboy would read it as latin1 ("nÃ¤mnden").
  defParamCharset: 'utf8',
}).single('file')

/**
 * Reads a multipart upload into req.body and req.file. It runs before the CSRF check (server/app.ts), which
 * needs the form's token from the body, and after the check that the person may import; a file over the limit is cut off and noted, not an error page.
 */
export const uploadedFile: RequestHandler = (req, res, next) => {
  upload(req, res, (error: unknown) => {
    if (error) res.locals.uploadError = error instanceof multer.MulterError ? error.code : 'MALFORMED'
    next()
  })
}
