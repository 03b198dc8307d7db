/* confab-account-store.h: the user's accounts, a GListModel of ConfabAccount
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-account.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ACCOUNT_STORE (confab_account_store_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAccountStore, confab_account_store, CONFAB, ACCOUNT_STORE, GObject)

ConfabAccountStore *confab_account_store_new             (const char          *path);
char               *confab_account_store_default_path    (void);
const char         *confab_account_store_get_path        (ConfabAccountStore  *self);
gboolean            confab_account_store_load            (ConfabAccountStore  *self,
                                                          GError             **error);
gboolean            confab_account_store_save            (ConfabAccountStore  *self,
                                                          GError             **error);
gboolean            confab_account_store_add             (ConfabAccountStore  *self,
                                                          ConfabAccount       *account,
                                                          GError             **error);
gboolean            confab_account_store_remove          (ConfabAccountStore  *self,
                                                          ConfabAccount       *account);
ConfabAccount      *confab_account_store_lookup_by_id    (ConfabAccountStore  *self,
                                                          const char          *id);
ConfabAccount      *confab_account_store_lookup_by_name  (ConfabAccountStore  *self,
                                                          const char          *name);
ConfabAccount      *confab_account_store_get_default     (ConfabAccountStore  *self);
void                confab_account_store_set_default     (ConfabAccountStore  *self,
                                                          ConfabAccount       *account);

G_END_DECLS
