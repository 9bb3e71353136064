export const TOOL_NAME = 'leash';
export const TOOL_VERSION = '0.1.0';
