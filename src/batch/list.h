/* list.h - `--list`: the data sources saved in the vault, without secrets. */
#ifndef CX_BATCH_LIST_H
#define CX_BATCH_LIST_H

#include "options.h"

/* Opens the vault (o->vault_file, else the default path) with the passphrase from
 * o->passphrase_file or asked on /dev/tty, and prints its records to stdout as a table
 * (default) or JSON (o->format == FORMAT_JSON). A missing vault is an empty list. Messages go
 * to stderr. Returns the exit status. */
int batch_list(const struct cx_options *o);

#endif
