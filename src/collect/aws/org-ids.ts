// Identifier shapes of AWS Organizations, apart from the client that reads them: the CLI checks
// --include-ous at start-up without loading the Organizations SDK client (every command paid
// for it).

/** An organizational unit (ou-…) or the root (r-…). */
export const OU_ID = /^(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
