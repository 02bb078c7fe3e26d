/** Process exit codes of the CLI. */
export const EXIT_OK = 0;
/** Something failed at run time (network, Kafka, a bug). */
export const EXIT_FAILURE = 1;
/** Bad usage or configuration: fix the command line or the settings; retrying as is cannot help. */
export const EXIT_USAGE = 2;
