/* confab-keyring.h: API keys and proxy passwords in the Secret Service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  CONFAB_SECRET_API_KEY,
  CONFAB_SECRET_PROXY_PASSWORD,
} ConfabSecretKind;

void      confab_keyring_store_async   (const char           *account_id,
                                        ConfabSecretKind      kind,
                                        const char           *account_name,
                                        const char           *secret,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean  confab_keyring_store_finish  (GAsyncResult         *result,
                                        GError              **error);
gboolean  confab_keyring_store_sync    (const char           *account_id,
                                        ConfabSecretKind      kind,
                                        const char           *account_name,
                                        const char           *secret,
                                        GCancellable         *cancellable,
                                        GError              **error);
void      confab_keyring_lookup_async  (const char           *account_id,
                                        ConfabSecretKind      kind,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
char     *confab_keyring_lookup_finish (GAsyncResult         *result,
                                        GError              **error);
char     *confab_keyring_lookup_sync   (const char           *account_id,
                                        ConfabSecretKind      kind,
                                        GCancellable         *cancellable,
                                        GError              **error);
void      confab_keyring_clear_async   (const char           *account_id,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
void      confab_keyring_clear_kind_async (const char        *account_id,
                                           ConfabSecretKind   kind,
                                           GCancellable      *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer           user_data);
gboolean  confab_keyring_clear_finish  (GAsyncResult         *result,
                                        GError              **error);
gboolean  confab_keyring_clear_sync    (const char           *account_id,
                                        GCancellable         *cancellable,
                                        GError              **error);
void      confab_keyring_secret_free   (char                 *secret);
gboolean  confab_keyring_error_is_unavailable (const GError  *error);

typedef char ConfabKeyringSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabKeyringSecret, confab_keyring_secret_free)

G_END_DECLS
