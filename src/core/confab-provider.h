/* confab-provider.h: base class of the wire protocols
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "confab-account.h"
#include "confab-chat-request.h"
#include "confab-error.h"
#include "confab-provider-info.h"
#include "confab-stream-parser.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_PROVIDER (confab_provider_get_type ())

G_DECLARE_DERIVABLE_TYPE (ConfabProvider, confab_provider, CONFAB, PROVIDER, GObject)

struct _ConfabProviderClass
{
  GObjectClass parent_class;

  SoupMessage        *(*create_chat_message)   (ConfabProvider      *self,
                                                ConfabAccount       *account,
                                                const char          *api_key,
                                                ConfabChatRequest   *request,
                                                GError             **error);
  ConfabStreamParser *(*create_stream_parser)  (ConfabProvider      *self);
  /* Maps an error response; sets *retry_after_ms when the body says how
   * long to wait (headers are read by the caller). */
  GError             *(*parse_error)           (ConfabProvider      *self,
                                                guint                status,
                                                GBytes              *body,
                                                gint64              *retry_after_ms);
  SoupMessage        *(*create_models_message) (ConfabProvider      *self,
                                                ConfabAccount       *account,
                                                const char          *api_key,
                                                const char          *page_token,
                                                GError             **error);
  /* Appends model ids to @models; sets *next_page_token when there is
   * another page. */
  gboolean            (*parse_models)          (ConfabProvider      *self,
                                                GBytes              *body,
                                                GPtrArray           *models,
                                                char               **next_page_token,
                                                GError             **error);
};

ConfabProvider           *confab_provider_new                    (const ConfabProviderInfo *info);
ConfabProvider           *confab_provider_new_for_account        (ConfabAccount            *account,
                                                                  GError                  **error);
const ConfabProviderInfo *confab_provider_get_info               (ConfabProvider           *self);
SoupMessage              *confab_provider_create_chat_message    (ConfabProvider           *self,
                                                                  ConfabAccount            *account,
                                                                  const char               *api_key,
                                                                  ConfabChatRequest        *request,
                                                                  GError                  **error);
ConfabStreamParser       *confab_provider_create_stream_parser   (ConfabProvider           *self);
GError                   *confab_provider_parse_error            (ConfabProvider           *self,
                                                                  guint                     status,
                                                                  GBytes                   *body,
                                                                  gint64                   *retry_after_ms);
SoupMessage              *confab_provider_create_models_message  (ConfabProvider           *self,
                                                                  ConfabAccount            *account,
                                                                  const char               *api_key,
                                                                  const char               *page_token,
                                                                  GError                  **error);
gboolean                  confab_provider_parse_models           (ConfabProvider           *self,
                                                                  GBytes                   *body,
                                                                  GPtrArray                *models,
                                                                  char                    **next_page_token,
                                                                  GError                  **error);

/* Helpers for subclasses and parsers. */
GError                   *confab_provider_error_from_json        (const ConfabProviderInfo *info,
                                                                  guint                     status,
                                                                  JsonNode                 *root,
                                                                  gint64                   *retry_after_ms);
GError                   *confab_provider_error_new              (const ConfabProviderInfo *info,
                                                                  ConfabErrorCode           code,
                                                                  guint                     status,
                                                                  const char               *provider_message);
JsonNode                 *confab_provider_parse_json_body        (GBytes                   *body);
SoupMessage              *confab_provider_new_json_post          (const char               *url,
                                                                  ConfabAccount            *account,
                                                                  JsonBuilder              *body,
                                                                  GError                  **error);
SoupMessage              *confab_provider_new_get                (const char               *url,
                                                                  ConfabAccount            *account,
                                                                  GError                  **error);
const char               *confab_json_get_string                 (JsonObject               *object,
                                                                  const char               *member);
JsonObject               *confab_json_get_object                 (JsonObject               *object,
                                                                  const char               *member);
JsonArray                *confab_json_get_array                  (JsonObject               *object,
                                                                  const char               *member);
gint64                    confab_json_get_int                    (JsonObject               *object,
                                                                  const char               *member,
                                                                  gint64                    default_value);

G_END_DECLS
