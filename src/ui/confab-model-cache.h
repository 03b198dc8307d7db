/* confab-model-cache.h: the models each account offers, fetched once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-account.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MODEL_CACHE (confab_model_cache_get_type ())

G_DECLARE_FINAL_TYPE (ConfabModelCache, confab_model_cache, CONFAB, MODEL_CACHE, GObject)

ConfabModelCache *confab_model_cache_new          (void);
GtkStringList    *confab_model_cache_get_models   (ConfabModelCache *self,
                                                   ConfabAccount    *account);
gboolean          confab_model_cache_is_loading   (ConfabModelCache *self,
                                                   ConfabAccount    *account);
const GError     *confab_model_cache_get_error    (ConfabModelCache *self,
                                                   ConfabAccount    *account);
void              confab_model_cache_refresh      (ConfabModelCache *self,
                                                   ConfabAccount    *account);
void              confab_model_cache_invalidate   (ConfabModelCache *self,
                                                   const char       *account_id);
char             *confab_model_cache_dup_default_model (ConfabAccount *account);

G_END_DECLS
