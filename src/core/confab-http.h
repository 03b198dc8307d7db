/* confab-http.h: sessions, credentials and transport errors for provider calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "confab-account.h"

G_BEGIN_DECLS

typedef struct
{
  SoupSession *session;
  /* The account's key, wiped on free; NULL for keyless providers. */
  char        *api_key;
} ConfabHttpContext;

void               confab_http_context_new_async   (ConfabAccount        *account,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
ConfabHttpContext *confab_http_context_new_finish  (GAsyncResult         *result,
                                                    GError              **error);
void               confab_http_context_free        (ConfabHttpContext    *context);
SoupSession       *confab_http_session_new         (ConfabAccount        *account,
                                                    const char           *proxy_password,
                                                    GError              **error);
gint64             confab_http_retry_after_ms      (SoupMessageHeaders   *headers);
gboolean           confab_http_status_is_retryable (guint                 status);
GError            *confab_http_transport_error     (const GError         *error,
                                                    SoupMessage          *message,
                                                    ConfabAccount        *account);
char              *confab_http_redact              (const char           *text,
                                                    const char           *secret);
void               confab_http_read_body_async     (GInputStream         *stream,
                                                    gsize                 max_size,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GBytes            *confab_http_read_body_finish    (GAsyncResult         *result,
                                                    GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabHttpContext, confab_http_context_free)

G_END_DECLS
