/* confab-cli.h: shared pieces of confab-cli's commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include <json-glib/json-glib.h>

#include "confab-account-store.h"
#include "confab-error.h"

G_BEGIN_DECLS

/* Exit statuses: part of confab-cli's public contract. */
enum
{
  CONFAB_EXIT_OK          = 0,
  CONFAB_EXIT_FAILURE     = 1,
  CONFAB_EXIT_USAGE       = 2,
  CONFAB_EXIT_AUTH        = 3,
  CONFAB_EXIT_NETWORK     = 4,
  CONFAB_EXIT_PROTOCOL    = 5,
  CONFAB_EXIT_RATE_LIMIT  = 6,
  CONFAB_EXIT_KEYRING     = 7,
  CONFAB_EXIT_INTERRUPTED = 130,
};

int                 confab_cli_exit_status_for_error (const GError  *error);
int                 confab_cli_fail                  (int            status,
                                                      const char    *format,
                                                      ...) G_GNUC_PRINTF (2, 3);
int                 confab_cli_fail_error            (const GError  *error);
ConfabAccountStore *confab_cli_load_accounts         (GError       **error);
GOptionContext     *confab_cli_option_context_new    (const char    *parameters,
                                                      const char    *summary,
                                                      const GOptionEntry *entries);
gboolean            confab_cli_parse_options         (GOptionContext *context,
                                                      int           *argc,
                                                      char        ***argv,
                                                      int           *status);
void                confab_cli_print_json            (JsonNode      *node);
void                confab_cli_wait                  (gboolean      *done);
GCancellable       *confab_cli_get_interrupt         (void);
gboolean            confab_cli_was_interrupted       (void);

/* Account options shared by "accounts add" and "accounts set". */
char               *confab_cli_read_key_stdin        (GError       **error);
gboolean            confab_cli_split_proxy_password  (char         **proxy,
                                                      char         **password,
                                                      GError       **error);
gboolean            confab_cli_check_account         (ConfabAccount *account,
                                                      GError       **error);
gboolean            confab_cli_set_ca_file           (ConfabAccount *account,
                                                      const char    *path,
                                                      GError       **error);
int                 confab_cli_accounts_set          (int            argc,
                                                      char         **argv);

int                 confab_cli_chat                  (int            argc,
                                                      char         **argv);
int                 confab_cli_history               (int            argc,
                                                      char         **argv);
int                 confab_cli_fail_history          (const GError  *error);

G_END_DECLS
