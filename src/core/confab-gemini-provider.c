/* confab-gemini-provider.c
 *
 * POST {base}/models/{model}:streamGenerateContent?alt=sse with the key in
 * x-goog-api-key (providers.md §4). The history is "contents" with the
 * roles user and model, the system prompt is systemInstruction, and
 * settings go in generationConfig. Without alt=sse the same endpoint
 * streams one JSON array, which is much harder to read incrementally.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-gemini-provider.h"
#include "confab-gemini-stream-parser.h"
#include "confab-util.h"

/* The API's largest page: one request lists every model. */
#define MODELS_PAGE_SIZE 1000

struct _ConfabGeminiProvider
{
  ConfabProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (ConfabGeminiProvider, confab_gemini_provider, CONFAB_TYPE_PROVIDER)

/* Models of the 2.5 and 3 families think, and show their thoughts only
 * when asked; older ones reject thinkingConfig. The -latest aliases point
 * at 2.5 or newer. */
static gboolean
model_thinks (const char *model)
{
  static const char * const prefixes[] = {
    "gemini-2.5", "gemini-3", "gemini-flash-latest", "gemini-flash-lite-latest",
    "gemini-pro-latest", NULL
  };

  for (guint i = 0; model != NULL && prefixes[i] != NULL; i++)
    if (g_str_has_prefix (model, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* Model ids are listed as "models/NAME"; the URL wants NAME. */
static const char *
model_name (ConfabChatRequest *request)
{
  const char *model = confab_chat_request_get_model (request);

  if (model != NULL && g_str_has_prefix (model, "models/"))
    model += strlen ("models/");
  return model;
}

static void
add_parts (JsonBuilder *builder,
           const char  *text)
{
  json_builder_set_member_name (builder, "parts");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
}

static void
add_content (JsonBuilder *builder,
             ConfabRole   role,
             const char  *text)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role == CONFAB_ROLE_ASSISTANT ? "model" : "user");
  add_parts (builder, text);
  json_builder_end_object (builder);
}

/* Gemini refuses multi-turn requests whose user and model turns do not
 * alternate, so consecutive turns of one role become one, a blank line
 * apart. System turns join the system instruction instead. */
static void
add_contents (JsonBuilder       *builder,
              ConfabChatRequest *request)
{
  g_autoptr(GString) text = NULL;
  ConfabRole role = CONFAB_ROLE_USER;

  json_builder_set_member_name (builder, "contents");
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
          add_content (builder, role, text->str);
          g_string_assign (text, turn_text);
        }
      else
        {
          text = g_string_new (turn_text);
        }
      role = turn_role;
    }
  if (text != NULL)
    add_content (builder, role, text->str);
  json_builder_end_array (builder);
}

static void
add_system_instruction (JsonBuilder       *builder,
                        ConfabChatRequest *request)
{
  g_autoptr(GString) system = g_string_new (confab_chat_request_get_system_prompt (request));

  for (guint i = 0; i < confab_chat_request_get_n_messages (request); i++)
    if (confab_chat_request_get_message_role (request, i) == CONFAB_ROLE_SYSTEM)
      g_string_append_printf (system, "%s%s", system->len > 0 ? "\n\n" : "",
                              confab_chat_request_get_message_text (request, i));
  if (system->len == 0)
    return;

  json_builder_set_member_name (builder, "systemInstruction");
  json_builder_begin_object (builder);
  add_parts (builder, system->str);
  json_builder_end_object (builder);
}

static void
add_generation_config (JsonBuilder       *builder,
                       ConfabChatRequest *request)
{
  double temperature = confab_chat_request_get_temperature (request);
  gint64 max_tokens = confab_chat_request_get_max_tokens (request);
  gboolean thinks = model_thinks (model_name (request));

  if (temperature < 0 && max_tokens <= 0 && !thinks)
    return;

  json_builder_set_member_name (builder, "generationConfig");
  json_builder_begin_object (builder);
  if (temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, temperature);
    }
  if (max_tokens > 0)
    {
      json_builder_set_member_name (builder, "maxOutputTokens");
      json_builder_add_int_value (builder, max_tokens);
    }
  if (thinks)
    {
      json_builder_set_member_name (builder, "thinkingConfig");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "includeThoughts");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

static JsonBuilder *
build_body (ConfabChatRequest *request)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_system_instruction (builder, request);
  add_contents (builder, request);
  add_generation_config (builder, request);
  json_builder_end_object (builder);
  return builder;
}

static void
set_api_key (SoupMessage *message,
             const char  *api_key)
{
  if (api_key != NULL && *api_key != '\0')
    soup_message_headers_replace (soup_message_get_request_headers (message),
                                  "x-goog-api-key", api_key);
}

static SoupMessage *
confab_gemini_provider_create_chat_message (ConfabProvider     *provider,
                                            ConfabAccount      *account,
                                            const char         *api_key,
                                            ConfabChatRequest  *request,
                                            GError            **error)
{
  g_autoptr(JsonBuilder) body = NULL;
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  g_autofree char *model = NULL;
  g_autofree char *url = NULL;
  SoupMessage *message;

  if (confab_str_is_blank (model_name (request)))
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                           _("Choose a Gemini model, such as gemini-2.5-flash"));
      return NULL;
    }

  model = g_uri_escape_string (model_name (request), NULL, FALSE);
  url = g_strdup_printf ("%s/models/%s:streamGenerateContent?alt=sse", base ? base : "", model);
  body = build_body (request);
  message = confab_provider_new_json_post (url, account, body, error);
  if (message == NULL)
    return NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "text/event-stream");
  set_api_key (message, api_key);
  return message;
}

static ConfabStreamParser *
confab_gemini_provider_create_stream_parser (ConfabProvider *provider)
{
  return confab_gemini_stream_parser_new (confab_provider_get_info (provider));
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
confab_gemini_provider_create_models_message (ConfabProvider  *provider,
                                              ConfabAccount   *account,
                                              const char      *api_key,
                                              const char      *page_token,
                                              GError         **error)
{
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  g_autofree char *url = NULL;
  SoupMessage *message;

  if (page_token != NULL)
    {
      g_autofree char *token = g_uri_escape_string (page_token, NULL, FALSE);
      url = g_strdup_printf ("%s/models?pageSize=%u&pageToken=%s", base ? base : "",
                             get_models_page_size (), token);
    }
  else
    {
      url = g_strdup_printf ("%s/models?pageSize=%u", base ? base : "", get_models_page_size ());
    }

  message = confab_provider_new_get (url, account, error);
  if (message != NULL)
    set_api_key (message, api_key);
  return message;
}

static gboolean
can_generate_content (JsonObject *model)
{
  JsonArray *methods = confab_json_get_array (model, "supportedGenerationMethods");

  for (guint i = 0; methods != NULL && i < json_array_get_length (methods); i++)
    {
      JsonNode *node = json_array_get_element (methods, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (node), "generateContent"))
        return TRUE;
    }
  return FALSE;
}

/* {"models":[{"name":"models/…","supportedGenerationMethods":[…]}],
 * "nextPageToken"}: embedding and other models that cannot chat are
 * left out. */
static gboolean
confab_gemini_provider_parse_models (ConfabProvider  *provider,
                                     GBytes          *body,
                                     GPtrArray       *models,
                                     char           **next_page_token,
                                     GError         **error)
{
  g_autoptr(JsonNode) root = confab_provider_parse_json_body (body);
  JsonObject *object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *list = confab_json_get_array (object, "models");
  const char *token;

  /* A page may be empty, and then the member is left out. */
  if (object == NULL || (list == NULL && json_object_has_member (object, "models")))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                   _("%s sent a model list Confab does not understand"),
                   confab_provider_info_get_display_name (confab_provider_get_info (provider)));
      return FALSE;
    }

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *model = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = confab_json_get_string (model, "name");

      if (name == NULL || !can_generate_content (model))
        continue;
      if (g_str_has_prefix (name, "models/"))
        name += strlen ("models/");
      g_ptr_array_add (models, g_strdup (name));
    }

  token = confab_json_get_string (object, "nextPageToken");
  if (token != NULL && *token != '\0' && next_page_token != NULL)
    *next_page_token = g_strdup (token);
  return TRUE;
}

static void
confab_gemini_provider_class_init (ConfabGeminiProviderClass *klass)
{
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  provider_class->create_chat_message = confab_gemini_provider_create_chat_message;
  provider_class->create_stream_parser = confab_gemini_provider_create_stream_parser;
  provider_class->create_models_message = confab_gemini_provider_create_models_message;
  provider_class->parse_models = confab_gemini_provider_parse_models;
}

static void
confab_gemini_provider_init (ConfabGeminiProvider *self)
{
}
