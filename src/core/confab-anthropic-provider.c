/* confab-anthropic-provider.c
 *
 * POST {base}/v1/messages with "stream": true (providers.md §3). The
 * Messages API differs from chat completions where it matters: the system
 * prompt is a top-level field, turns must alternate between user and
 * assistant, max_tokens is required and temperature stops at 1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-anthropic-provider.h"
#include "confab-anthropic-stream-parser.h"

#define ANTHROPIC_VERSION    "2023-06-01"
/* max_tokens is required; this fits every current model's output limit. */
#define DEFAULT_MAX_TOKENS   4096
/* The API's largest page: one request lists every model. */
#define MODELS_PAGE_SIZE     1000

struct _ConfabAnthropicProvider
{
  ConfabProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (ConfabAnthropicProvider, confab_anthropic_provider, CONFAB_TYPE_PROVIDER)

/* {base}/v1/…, also when the base already ends in /v1 as OpenAI-style
 * bases do. */
static char *
build_url (ConfabAccount *account,
           const char    *path)
{
  g_autofree char *base = confab_account_dup_effective_base_url (account);

  if (base != NULL && g_str_has_suffix (base, "/v1"))
    base[strlen (base) - strlen ("/v1")] = '\0';
  return g_strconcat (base ? base : "", path, NULL);
}

static void
set_headers (SoupMessage *message,
             const char  *api_key)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  soup_message_headers_replace (headers, "anthropic-version", ANTHROPIC_VERSION);
  if (api_key != NULL && *api_key != '\0')
    soup_message_headers_replace (headers, "x-api-key", api_key);
}

static void
add_text_member (JsonBuilder *builder,
                 const char  *name,
                 const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_turn (JsonBuilder *builder,
          ConfabRole   role,
          const char  *text)
{
  json_builder_begin_object (builder);
  add_text_member (builder, "role", confab_role_to_string (role));
  add_text_member (builder, "content", text);
  json_builder_end_object (builder);
}

/* Consecutive turns of one role become one, a blank line apart, because
 * the API refuses two user (or assistant) turns in a row. System turns
 * are not messages here; they join the system prompt. */
static void
add_messages (JsonBuilder       *builder,
              ConfabChatRequest *request)
{
  g_autoptr(GString) text = NULL;
  ConfabRole role = CONFAB_ROLE_USER;

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < confab_chat_request_get_n_messages (request); i++)
    {
      ConfabRole turn_role = confab_chat_request_get_message_role (request, i);
      const char *turn_text = confab_chat_request_get_message_text (request, i);

      if (turn_role == CONFAB_ROLE_SYSTEM)
        continue;
      if (text != NULL && turn_role == role)
        {
          g_string_append_printf (text, "\n\n%s", turn_text);
          continue;
        }
      if (text != NULL)
        {
          add_turn (builder, role, text->str);
          g_string_assign (text, turn_text);
        }
      else
        {
          text = g_string_new (turn_text);
        }
      role = turn_role;
    }
  if (text != NULL)
    add_turn (builder, role, text->str);
  json_builder_end_array (builder);
}

/* The system prompt, then any system turns of the history. */
static char *
dup_system_text (ConfabChatRequest *request)
{
  g_autoptr(GString) system = g_string_new (confab_chat_request_get_system_prompt (request));

  for (guint i = 0; i < confab_chat_request_get_n_messages (request); i++)
    if (confab_chat_request_get_message_role (request, i) == CONFAB_ROLE_SYSTEM)
      g_string_append_printf (system, "%s%s", system->len > 0 ? "\n\n" : "",
                              confab_chat_request_get_message_text (request, i));

  return system->len > 0 ? g_string_free (g_steal_pointer (&system), FALSE) : NULL;
}

static JsonBuilder *
build_body (ConfabChatRequest *request)
{
  JsonBuilder *builder = json_builder_new ();
  g_autofree char *system = dup_system_text (request);
  double temperature = confab_chat_request_get_temperature (request);
  gint64 max_tokens = confab_chat_request_get_max_tokens (request);

  json_builder_begin_object (builder);
  add_text_member (builder, "model", confab_chat_request_get_model (request));
  json_builder_set_member_name (builder, "max_tokens");
  json_builder_add_int_value (builder, max_tokens > 0 ? max_tokens : DEFAULT_MAX_TOKENS);
  if (system != NULL)
    add_text_member (builder, "system", system);
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  /* Anthropic's range is 0–1, where OpenAI's is 0–2. */
  if (temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, CLAMP (temperature, 0.0, 1.0));
    }

  json_builder_end_object (builder);
  return builder;
}

static SoupMessage *
confab_anthropic_provider_create_chat_message (ConfabProvider     *provider,
                                               ConfabAccount      *account,
                                               const char         *api_key,
                                               ConfabChatRequest  *request,
                                               GError            **error)
{
  g_autoptr(JsonBuilder) body = build_body (request);
  g_autofree char *url = build_url (account, "/v1/messages");
  SoupMessage *message;

  message = confab_provider_new_json_post (url, account, body, error);
  if (message == NULL)
    return NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "text/event-stream");
  set_headers (message, api_key);
  return message;
}

static ConfabStreamParser *
confab_anthropic_provider_create_stream_parser (ConfabProvider *provider)
{
  return confab_anthropic_stream_parser_new (confab_provider_get_info (provider));
}

/* CONFAB_MODELS_PAGE_SIZE asks for smaller pages, to see paging work
 * against a server with few models. */
static guint
get_models_page_size (void)
{
  const char *value = g_getenv ("CONFAB_MODELS_PAGE_SIZE");
  guint64 size;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, MODELS_PAGE_SIZE, &size, NULL))
    return size;
  return MODELS_PAGE_SIZE;
}

static SoupMessage *
confab_anthropic_provider_create_models_message (ConfabProvider  *provider,
                                                 ConfabAccount   *account,
                                                 const char      *api_key,
                                                 const char      *page_token,
                                                 GError         **error)
{
  g_autofree char *base = build_url (account, "/v1/models");
  g_autofree char *url = NULL;
  SoupMessage *message;

  if (page_token != NULL)
    {
      g_autofree char *after = g_uri_escape_string (page_token, NULL, FALSE);
      url = g_strdup_printf ("%s?limit=%u&after_id=%s", base, get_models_page_size (), after);
    }
  else
    {
      url = g_strdup_printf ("%s?limit=%u", base, get_models_page_size ());
    }

  message = confab_provider_new_get (url, account, error);
  if (message != NULL)
    set_headers (message, api_key);
  return message;
}

static gboolean
bad_model_list (ConfabProvider  *provider,
                GError         **error)
{
  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
               _("%s sent a model list Confab does not understand"),
               confab_provider_info_get_display_name (confab_provider_get_info (provider)));
  return FALSE;
}

/* {"data":[{"id",…}],"has_more","first_id","last_id"}, newest first. */
static gboolean
confab_anthropic_provider_parse_models (ConfabProvider  *provider,
                                        GBytes          *body,
                                        GPtrArray       *models,
                                        char           **next_page_token,
                                        GError         **error)
{
  g_autoptr(JsonNode) root = confab_provider_parse_json_body (body);
  JsonObject *object;
  JsonArray *data;
  JsonNode *has_more;
  const char *last_id;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_model_list (provider, error);
  object = json_node_get_object (root);
  if ((data = confab_json_get_array (object, "data")) == NULL)
    return bad_model_list (provider, error);

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      const char *id = JSON_NODE_HOLDS_OBJECT (node)
                       ? confab_json_get_string (json_node_get_object (node), "id") : NULL;

      if (id != NULL)
        g_ptr_array_add (models, g_strdup (id));
    }

  has_more = json_object_get_member (object, "has_more");
  last_id = confab_json_get_string (object, "last_id");
  if (has_more != NULL && JSON_NODE_HOLDS_VALUE (has_more) &&
      json_node_get_value_type (has_more) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (has_more) && last_id != NULL && next_page_token != NULL)
    *next_page_token = g_strdup (last_id);
  return TRUE;
}

static void
confab_anthropic_provider_class_init (ConfabAnthropicProviderClass *klass)
{
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  provider_class->create_chat_message = confab_anthropic_provider_create_chat_message;
  provider_class->create_stream_parser = confab_anthropic_provider_create_stream_parser;
  provider_class->create_models_message = confab_anthropic_provider_create_models_message;
  provider_class->parse_models = confab_anthropic_provider_parse_models;
}

static void
confab_anthropic_provider_init (ConfabAnthropicProvider *self)
{
}
