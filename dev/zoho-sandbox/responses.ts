/**
 * The bodies the sandbox answers with. Codes and messages are taken from the enums in Zoho's v8
 * OpenAPI files (record.json, notes.json, module_search.json, convert_lead.json), so a client written against the
 * sandbox reads the same strings it will meet in production.
 */

export interface ZohoApiError {
  code: string;
  details: Record<string, unknown>;
  message: string;
  status: 'error';
}

export function apiError(code: string, message: string, details: Record<string, unknown> = {}): ZohoApiError {
  return { code, details, message, status: 'error' };
}

export const zohoErrors = {
  invalidToken: () => apiError('INVALID_TOKEN', 'invalid oauth token'),
  authenticationFailure: () => apiError('AUTHENTICATION_FAILURE', 'Authentication failed'),
  internal: () => apiError('INTERNAL_ERROR', 'Internal server error occurred.'),
  // Not in Zoho's enums (the OAS README admits its 429 examples are inconsistent); the code is the documented one.
  tooManyRequests: () => apiError('TOO_MANY_REQUESTS', 'The number of API requests has exceeded the allowed limit.'),
  invalidModule: () => apiError('INVALID_MODULE', 'The module name given seems to be invalid', { resource_path_index: 0 }),
  invalidUrl: () => apiError('INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one'),
  requiredParam: (paramName: string) =>
    apiError('REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: paramName }),
  expectedSearchParam: () =>
    apiError('EXPECTED_PARAM_MISSING', 'One of the expected parameter is missing', {
      param_names: ['criteria', 'email', 'phone', 'word'],
    }),
  expectedParam: (paramNames: string[]) => apiError('EXPECTED_PARAM_MISSING', 'One of the expected parameter is missing', { param_names: paramNames }),
  invalidParam: (paramName: string) => apiError('INVALID_DATA', 'invalid data', { param_name: paramName }),
  invalidQuery: (details: Record<string, unknown>) => apiError('INVALID_QUERY', 'Invalid query formed', details),
  invalidBody: (details: Record<string, unknown> = {}) => apiError('INVALID_DATA', 'invalid data', details),
  limitExceeded: (limit: number) => apiError('LIMIT_EXCEEDED', 'Record insertion limit has been exceeded.', { limit }),
  mandatory: (apiName: string, jsonPath: string) =>
    apiError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: apiName, json_path: jsonPath }),
  invalidData: (apiName: string, jsonPath: string, extra: Record<string, unknown> = {}) =>
    apiError('INVALID_DATA', 'invalid data', { api_name: apiName, json_path: jsonPath, ...extra }),
  invalidId: (id: string) => apiError('INVALID_DATA', 'the id given seems to be invalid', { id }),
  convertedRecord: (id: string, apiName?: string, jsonPath?: string) =>
    apiError('CONVERTED_RECORD', "can't update the converted record", { id, ...(apiName ? { api_name: apiName, json_path: jsonPath } : {}) }),
  // convert_lead.json: the id in the URL (index 1 after /crm/v8/) is unknown, or was converted before.
  invalidUrlId: () => apiError('INVALID_DATA', 'invalid data', { resource_path_index: 1 }),
  idAlreadyConverted: () => apiError('ID_ALREADY_CONVERTED', 'id already converted', { resource_path_index: 1 }),
  expectedType: (apiName: string, jsonPath: string, expectedDataType: string) =>
    apiError('INVALID_DATA', 'invalid data', { api_name: apiName, json_path: jsonPath, expected_data_type: expectedDataType }),
};

/** Zoho writes times in the org's zone with an offset and no milliseconds; the sandbox's org is on UTC. */
export function zohoDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}
