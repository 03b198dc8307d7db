/* confab-account-editor.h: adding or editing one account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-application.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ACCOUNT_EDITOR (confab_account_editor_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAccountEditor, confab_account_editor, CONFAB, ACCOUNT_EDITOR, GtkWidget)

GtkWidget     *confab_account_editor_new               (ConfabApplication   *application,
                                                        ConfabAccount       *account);
ConfabAccount *confab_account_editor_dup_draft         (ConfabAccountEditor *self,
                                                        const char          *id);
char          *confab_account_editor_dup_request_url   (ConfabAccountEditor *self,
                                                        GError             **error);
void           confab_account_editor_set_provider      (ConfabAccountEditor *self,
                                                        const char          *provider_id);
void           confab_account_editor_save              (ConfabAccountEditor *self);
void           confab_account_editor_test_connection   (ConfabAccountEditor *self);

G_END_DECLS
