/**
 * Names of the errors that a retry cannot fix (a 5xx SMTP rejection, a record Zoho refuses, bad
 * credentials, a malformed request). Activities throw classes with these names; the workflow lists them
 * as non-retryable. Strings, so the workflow sandbox needs none of the classes.
 */
export const NON_RETRYABLE_ERROR_TYPES = [
  'PermanentDeliveryError',
  'ZohoRecordError',
  'ZohoAuthError',
  'ZohoRequestError',
];
