/* confab-model-selector.h: the account and model the next message goes to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-account-store.h"
#include "confab-model-cache.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MODEL_SELECTOR (confab_model_selector_get_type ())

G_DECLARE_FINAL_TYPE (ConfabModelSelector, confab_model_selector, CONFAB, MODEL_SELECTOR, GtkWidget)

GtkWidget          *confab_model_selector_new               (void);
ConfabAccountStore *confab_model_selector_get_account_store (ConfabModelSelector *self);
void                confab_model_selector_set_account_store (ConfabModelSelector *self,
                                                             ConfabAccountStore  *store);
ConfabModelCache   *confab_model_selector_get_model_cache   (ConfabModelSelector *self);
void                confab_model_selector_set_model_cache   (ConfabModelSelector *self,
                                                             ConfabModelCache    *cache);
ConfabAccount      *confab_model_selector_get_account       (ConfabModelSelector *self);
void                confab_model_selector_set_account       (ConfabModelSelector *self,
                                                             ConfabAccount       *account);
const char         *confab_model_selector_get_model         (ConfabModelSelector *self);
void                confab_model_selector_set_model         (ConfabModelSelector *self,
                                                             const char          *model);
void                confab_model_selector_select            (ConfabModelSelector *self,
                                                             const char          *account_id,
                                                             const char          *model);
void                confab_model_selector_popup             (ConfabModelSelector *self);
void                confab_model_selector_popdown           (ConfabModelSelector *self);

G_END_DECLS
