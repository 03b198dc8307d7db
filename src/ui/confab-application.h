/* confab-application.h: the desktop app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-account-store.h"
#include "confab-history-store.h"
#include "confab-model-cache.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPLICATION (confab_application_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApplication, confab_application, CONFAB, APPLICATION, AdwApplication)

ConfabApplication  *confab_application_new                (void);
GSettings          *confab_application_get_settings       (ConfabApplication  *self);
ConfabAccountStore *confab_application_get_account_store  (ConfabApplication  *self);
ConfabModelCache   *confab_application_get_model_cache    (ConfabApplication  *self);
ConfabHistoryStore *confab_application_get_history        (ConfabApplication  *self);
const GError       *confab_application_get_history_error  (ConfabApplication  *self);
gboolean            confab_application_save_accounts      (ConfabApplication  *self,
                                                           GError            **error);
void                confab_application_show_preferences   (ConfabApplication  *self,
                                                           GtkWindow          *parent,
                                                           const char         *edit_account_id,
                                                           gboolean            add_account);
GSettings          *confab_settings_new                   (void);

G_END_DECLS
