/** What a path parameter's schema may say besides its longest length. */
export interface PathParamOptions {
  minLength?: number;
  pattern?: string;
  description?: string;
}

/**
 * The params schema of a route with one path parameter `name`: a string of at most `maxLength`
 * characters (and whatever else `more` says). Too long a value is a 400 before any lookup.
 */
export function pathParams(name: string, maxLength: number, more: PathParamOptions = {}) {
  return {
    type: 'object',
    required: [name],
    properties: { [name]: { type: 'string', ...more, maxLength } },
  } as const;
}
