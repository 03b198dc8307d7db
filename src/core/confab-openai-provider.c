/* confab-openai-provider.c
 *
 * POST {base}/chat/completions with "stream": true, for OpenAI and every
 * OpenAI-compatible preset (providers.md §1, §6–§14).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-openai-provider.h"
#include "confab-openai-stream-parser.h"

G_DEFINE_TYPE (ConfabOpenaiProvider, confab_openai_provider, CONFAB_TYPE_PROVIDER)

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

/* DashScope's hybrid models only think when asked to (providers.md §7);
 * models that cannot think reject the flag, so name the families. */
static gboolean
wants_enable_thinking (const ConfabProviderInfo *info,
                       const char               *model)
{
  if (!(info->quirks & CONFAB_QUIRK_ENABLE_THINKING) || model == NULL)
    return FALSE;
  return g_str_has_prefix (model, "qwen3") || g_str_has_prefix (model, "qwen-plus") ||
         g_str_has_prefix (model, "qwen-turbo") || g_str_has_prefix (model, "qwen-flash");
}

JsonBuilder *
confab_openai_provider_build_body (ConfabOpenaiProvider *self,
                                   ConfabChatRequest    *request,
                                   gboolean              send_model)
{
  const ConfabProviderInfo *info = confab_provider_get_info (CONFAB_PROVIDER (self));
  JsonBuilder *builder = json_builder_new ();
  const char *system = confab_chat_request_get_system_prompt (request);
  const char *model = confab_chat_request_get_model (request);
  double temperature = confab_chat_request_get_temperature (request);
  gint64 max_tokens = confab_chat_request_get_max_tokens (request);

  json_builder_begin_object (builder);
  if (send_model)
    {
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, model);
    }

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (system != NULL)
    add_message (builder, "system", system);
  for (guint i = 0; i < confab_chat_request_get_n_messages (request); i++)
    add_message (builder,
                 confab_role_to_string (confab_chat_request_get_message_role (request, i)),
                 confab_chat_request_get_message_text (request, i));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (!(info->quirks & CONFAB_QUIRK_NO_STREAM_OPTIONS))
    {
      json_builder_set_member_name (builder, "stream_options");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "include_usage");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
    }

  if (temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, temperature);
    }

  if (max_tokens > 0)
    {
      json_builder_set_member_name (builder, (info->quirks & CONFAB_QUIRK_MAX_COMPLETION_TOKENS)
                                             ? "max_completion_tokens" : "max_tokens");
      json_builder_add_int_value (builder, max_tokens);
    }

  if (wants_enable_thinking (info, model))
    {
      json_builder_set_member_name (builder, "enable_thinking");
      json_builder_add_boolean_value (builder, TRUE);
    }

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
confab_openai_provider_create_chat_message (ConfabProvider     *provider,
                                            ConfabAccount      *account,
                                            const char         *api_key,
                                            ConfabChatRequest  *request,
                                            GError            **error)
{
  ConfabOpenaiProvider *self = CONFAB_OPENAI_PROVIDER (provider);
  g_autoptr(JsonBuilder) body = NULL;
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  g_autofree char *url = g_strconcat (base ? base : "", "/chat/completions", NULL);
  SoupMessage *message;

  body = confab_openai_provider_build_body (self, request, TRUE);
  message = confab_provider_new_json_post (url, account, body, error);
  if (message == NULL)
    return NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "text/event-stream");
  set_bearer (message, api_key);
  return message;
}

static ConfabStreamParser *
confab_openai_provider_create_stream_parser (ConfabProvider *provider)
{
  return confab_openai_stream_parser_new (confab_provider_get_info (provider));
}

static SoupMessage *
confab_openai_provider_create_models_message (ConfabProvider  *provider,
                                              ConfabAccount   *account,
                                              const char      *api_key,
                                              const char      *page_token,
                                              GError         **error)
{
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  g_autofree char *url = g_strconcat (base ? base : "", "/models", NULL);
  SoupMessage *message;

  message = confab_provider_new_get (url, account, error);
  if (message != NULL)
    set_bearer (message, api_key);
  return message;
}

static gboolean
confab_openai_provider_parse_models (ConfabProvider  *provider,
                                     GBytes          *body,
                                     GPtrArray       *models,
                                     char           **next_page_token,
                                     GError         **error)
{
  g_autoptr(JsonNode) root = confab_provider_parse_json_body (body);
  JsonArray *data;

  data = root && JSON_NODE_HOLDS_OBJECT (root)
         ? confab_json_get_array (json_node_get_object (root), "data") : NULL;
  if (data == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                   _("%s sent a model list Confab does not understand"),
                   confab_provider_info_get_display_name (confab_provider_get_info (provider)));
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = confab_json_get_string (json_node_get_object (node), "id");
      if (id != NULL)
        g_ptr_array_add (models, g_strdup (id));
    }
  return TRUE;
}

static void
confab_openai_provider_class_init (ConfabOpenaiProviderClass *klass)
{
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  provider_class->create_chat_message = confab_openai_provider_create_chat_message;
  provider_class->create_stream_parser = confab_openai_provider_create_stream_parser;
  provider_class->create_models_message = confab_openai_provider_create_models_message;
  provider_class->parse_models = confab_openai_provider_parse_models;
}

static void
confab_openai_provider_init (ConfabOpenaiProvider *self)
{
}
