/**
 * Imported first by cli/main.ts: the use cases log as Lambda functions do (JSON lines on stdout), which would mix
 * with the command's own output and break --json. The command reports outcomes itself; set POWERTOOLS_LOG_LEVEL to
 * see the logs.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
