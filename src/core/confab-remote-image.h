/* confab-remote-image.h: fetching an image a reply links to, on request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_REMOTE_IMAGE_MAX_BYTES (16 * 1024 * 1024)

void    confab_remote_image_fetch_async  (const char           *uri,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GBytes *confab_remote_image_fetch_finish (GAsyncResult         *result,
                                          GError              **error);

G_END_DECLS
