/* confab-model-list.h: asking a provider which models an account can use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-account.h"

G_BEGIN_DECLS

void       confab_model_list_fetch_async  (ConfabAccount        *account,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray *confab_model_list_fetch_finish (GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
