/* confab-ollama-provider.c
 *
 * Ollama's native POST {base}/api/chat (providers.md §5), which streams
 * NDJSON by default. A local server needs no key; a remote one behind a
 * gateway may, and then gets it as a Bearer token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-ollama-provider.h"
#include "confab-ollama-stream-parser.h"

struct _ConfabOllamaProvider
{
  ConfabProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (ConfabOllamaProvider, confab_ollama_provider, CONFAB_TYPE_PROVIDER)

/* Families that think and show it only with "think"; other models reject
 * the option. GPT-OSS takes a level instead of true. */
static const char * const thinking_families[] = {
  "qwen3", "deepseek-r1", "deepseek-v3.1", "magistral", "qwq", "gpt-oss", NULL
};

/* "qwen3:8b" or "library/qwen3:8b" → the family's entry, or NULL. */
static const char *
lookup_thinking_family (const char *model)
{
  const char *slash;

  if (model == NULL)
    return NULL;
  if ((slash = strrchr (model, '/')) != NULL)
    model = slash + 1;
  for (guint i = 0; thinking_families[i] != NULL; i++)
    if (g_str_has_prefix (model, thinking_families[i]))
      return thinking_families[i];
  return NULL;
}

static void
add_think (JsonBuilder *builder,
           const char  *model)
{
  const char *family = lookup_thinking_family (model);

  if (family == NULL)
    return;
  json_builder_set_member_name (builder, "think");
  if (g_str_equal (family, "gpt-oss"))
    json_builder_add_string_value (builder, "medium");
  else
    json_builder_add_boolean_value (builder, TRUE);
}

static void
add_message (JsonBuilder *builder,
             const char  *role,
             const char  *content)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content);
  json_builder_end_object (builder);
}

static void
add_messages (JsonBuilder       *builder,
              ConfabChatRequest *request)
{
  const char *system = confab_chat_request_get_system_prompt (request);

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (system != NULL)
    add_message (builder, "system", system);
  for (guint i = 0; i < confab_chat_request_get_n_messages (request); i++)
    add_message (builder,
                 confab_role_to_string (confab_chat_request_get_message_role (request, i)),
                 confab_chat_request_get_message_text (request, i));
  json_builder_end_array (builder);
}

static void
add_options (JsonBuilder       *builder,
             ConfabChatRequest *request)
{
  double temperature = confab_chat_request_get_temperature (request);
  gint64 max_tokens = confab_chat_request_get_max_tokens (request);

  if (temperature < 0 && max_tokens <= 0)
    return;

  json_builder_set_member_name (builder, "options");
  json_builder_begin_object (builder);
  if (temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, temperature);
    }
  if (max_tokens > 0)
    {
      json_builder_set_member_name (builder, "num_predict");
      json_builder_add_int_value (builder, max_tokens);
    }
  json_builder_end_object (builder);
}

static JsonBuilder *
build_body (ConfabChatRequest *request)
{
  JsonBuilder *builder = json_builder_new ();
  const char *model = confab_chat_request_get_model (request);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  add_options (builder, request);
  add_think (builder, model);
  json_builder_end_object (builder);
  return builder;
}

static void
set_bearer (SoupMessage *message,
            const char  *api_key)
{
  g_autofree char *value = NULL;

  if (api_key == NULL || *api_key == '\0')
    return;
  value = g_strconcat ("Bearer ", api_key, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Authorization", value);
}

static SoupMessage *
confab_ollama_provider_create_chat_message (ConfabProvider     *provider,
                                            ConfabAccount      *account,
                                            const char         *api_key,
                                            ConfabChatRequest  *request,
                                            GError            **error)
{
  g_autoptr(JsonBuilder) body = build_body (request);
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  g_autofree char *url = g_strconcat (base ? base : "", "/api/chat", NULL);
  SoupMessage *message;

  message = confab_provider_new_json_post (url, account, body, error);
  if (message == NULL)
    return NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "application/x-ndjson");
  set_bearer (message, api_key);
  return message;
}

static ConfabStreamParser *
confab_ollama_provider_create_stream_parser (ConfabProvider *provider)
{
  return confab_ollama_stream_parser_new (confab_provider_get_info (provider));
}

static SoupMessage *
confab_ollama_provider_create_models_message (ConfabProvider  *provider,
                                              ConfabAccount   *account,
                                              const char      *api_key,
                                              const char      *page_token,
                                              GError         **error)
{
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  g_autofree char *url = g_strconcat (base ? base : "", "/api/tags", NULL);
  SoupMessage *message;

  message = confab_provider_new_get (url, account, error);
  if (message != NULL)
    set_bearer (message, api_key);
  return message;
}

/* {"models":[{"name":"llama3.2:latest",…}]}: the names as they are,
 * tag included, since that is what /api/chat takes. */
static gboolean
confab_ollama_provider_parse_models (ConfabProvider  *provider,
                                     GBytes          *body,
                                     GPtrArray       *models,
                                     char           **next_page_token,
                                     GError         **error)
{
  g_autoptr(JsonNode) root = confab_provider_parse_json_body (body);
  JsonArray *list;

  list = root && JSON_NODE_HOLDS_OBJECT (root)
         ? confab_json_get_array (json_node_get_object (root), "models") : NULL;
  if (list == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                   _("%s sent a model list Confab does not understand"),
                   confab_provider_info_get_display_name (confab_provider_get_info (provider)));
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      const char *name = JSON_NODE_HOLDS_OBJECT (node)
                         ? confab_json_get_string (json_node_get_object (node), "name") : NULL;

      if (name != NULL)
        g_ptr_array_add (models, g_strdup (name));
    }
  return TRUE;
}

static void
confab_ollama_provider_class_init (ConfabOllamaProviderClass *klass)
{
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  provider_class->create_chat_message = confab_ollama_provider_create_chat_message;
  provider_class->create_stream_parser = confab_ollama_provider_create_stream_parser;
  provider_class->create_models_message = confab_ollama_provider_create_models_message;
  provider_class->parse_models = confab_ollama_provider_parse_models;
}

static void
confab_ollama_provider_init (ConfabOllamaProvider *self)
{
}
