/* test-providers.c: every preset's wire protocol, from the request it
 * builds to the stream, errors and model lists it reads
 *
 * Requests are built with confab_provider_create_chat_message() and sent
 * to a capturing server on a Unix socket, so what is checked is exactly
 * what would go out. Streams are recorded-shape fixtures (providers.md
 * §16) fed whole, byte by byte and in odd pieces. Model lists and whole
 * exchanges run against the mock provider on loopback, with the key in
 * this test's own gnome-keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-azure-provider.h"
#include "confab-chat-stream.h"
#include "confab-keyring.h"
#include "confab-model-list.h"
#include "confab-provider.h"
#include "confab-test-env.h"

#define UNIT_KEY "sk-unit-7d1e04c2"

static JsonNode *
parse_json (const char *text,
            gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, len, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_json_equal (JsonNode   *actual,
                   const char *expected_text)
{
  g_autoptr(JsonNode) expected = parse_json (expected_text, -1);

  if (!json_node_equal (actual, expected))
    {
      g_autofree char *actual_text = json_to_string (actual, FALSE);
      g_test_message ("expected %s", expected_text);
      g_test_message ("got      %s", actual_text);
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* Capturing what a message sends                                     */
/* ------------------------------------------------------------------ */

typedef struct
{
  char               *url;       /* as the provider built it */
  char               *method;
  SoupMessageHeaders *headers;   /* as they arrived */
  JsonNode           *body;
  gboolean            handled;
} Sent;

static void
sent_free (Sent *sent)
{
  g_free (sent->url);
  g_free (sent->method);
  g_clear_pointer (&sent->headers, soup_message_headers_unref);
  g_clear_pointer (&sent->body, json_node_unref);
  g_free (sent);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sent, sent_free)

static struct
{
  SoupServer  *server;
  SoupSession *session;
  char        *dir;
  char        *socket_path;
} capture;

static void
on_capture_request (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  Sent *sent = g_object_get_data (G_OBJECT (server), "sent");
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  sent->method = g_strdup (soup_server_message_get_method (msg));
  sent->headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
  if (g_bytes_get_size (body) > 0)
    sent->body = parse_json (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  sent->handled = TRUE;
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
capture_setup (void)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  capture.dir = g_dir_make_tmp ("confab-capture-XXXXXX", &error);
  g_assert_no_error (error);
  capture.socket_path = g_build_filename (capture.dir, "server", NULL);
  address = g_unix_socket_address_new (capture.socket_path);

  capture.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (capture.server, NULL, on_capture_request, NULL, NULL);
  soup_server_listen (capture.server, address, 0, &error);
  g_assert_no_error (error);

  /* Whatever host a URL names, the connection goes to the socket. */
  capture.session = soup_session_new_with_options ("remote-connectable", address, NULL);
}

static void
capture_teardown (void)
{
  soup_server_disconnect (capture.server);
  g_clear_object (&capture.server);
  g_clear_object (&capture.session);
  g_unlink (capture.socket_path);
  g_rmdir (capture.dir);
  g_clear_pointer (&capture.socket_path, g_free);
  g_clear_pointer (&capture.dir, g_free);
}

static void
on_capture_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Sends @message over the socket; an https URL goes as plain http, since
 * there is no TLS on the socket. */
static Sent *
send_captured (SoupMessage *message)
{
  g_autofree char *url = g_uri_to_string (soup_message_get_uri (message));
  g_autofree char *plain = NULL;
  g_autoptr(GUri) plain_uri = NULL;
  Sent *sent = g_new0 (Sent, 1);
  gboolean done = FALSE;

  sent->url = g_strdup (url);
  plain = g_str_has_prefix (url, "https://")
          ? g_strconcat ("http://", url + strlen ("https://"), NULL) : g_strdup (url);
  plain_uri = g_uri_parse (plain, SOUP_HTTP_URI_FLAGS, NULL);
  g_assert_nonnull (plain_uri);
  soup_message_set_uri (message, plain_uri);

  g_object_set_data (G_OBJECT (capture.server), "sent", sent);
  soup_session_send_and_read_async (capture.session, message, G_PRIORITY_DEFAULT, NULL,
                                    on_capture_sent, &done);
  confab_test_wait_for (&done);
  g_object_set_data (G_OBJECT (capture.server), "sent", NULL);

  g_assert_true (sent->handled);
  return sent;
}

/* Only @header (if any) carries the key: not the URL, not another header. */
static void
assert_key_only_in (Sent       *sent,
                    const char *key,
                    const char *header)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_assert_null (strstr (sent->url, key));
  soup_message_headers_iter_init (&iter, sent->headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (header == NULL || g_ascii_strcasecmp (name, header) != 0)
      g_assert_null (strstr (value, key));
}

/* ------------------------------------------------------------------ */
/* Requests                                                           */
/* ------------------------------------------------------------------ */

static ConfabChatRequest *
new_standard_request (const char *model)
{
  ConfabChatRequest *request = confab_chat_request_new (model);

  confab_chat_request_set_system_prompt (request, "You are terse.");
  confab_chat_request_set_temperature (request, 0.7);
  confab_chat_request_set_max_tokens (request, 256);
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, "Hi");
  confab_chat_request_add_message (request, CONFAB_ROLE_ASSISTANT, "Hello!");
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, "法国的首都是？");
  return request;
}

typedef struct
{
  const char *provider;
  const char *region;        /* NULL: the default */
  const char *base_url;      /* NULL: the region's */
  const char *deployment;
  const char *api_version;
  const char *model;
  const char *url;
  const char *auth_header;   /* NULL: none at all */
  const char *auth_value;
  const char *accept;
  const char *body;
} RequestCase;

#define OAI_MESSAGES \
  "\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"}," \
  "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}," \
  "{\"role\":\"user\",\"content\":\"法国的首都是？\"}]"
#define OAI_USAGE ",\"stream_options\":{\"include_usage\":true}"
#define OAI_BODY(model, usage, tokens, extra) \
  "{\"model\":\"" model "\"," OAI_MESSAGES ",\"stream\":true" usage \
  ",\"temperature\":0.7,\"" tokens "\":256" extra "}"
#define BEARER "Bearer " UNIT_KEY
#define SSE "text/event-stream"

static const RequestCase request_cases[] = {
  /* OpenAI and the OpenAI-compatible presets (§1, §6–§14) */
  { "openai", NULL, NULL, NULL, NULL, "gpt-4.1-mini",
    "https://api.openai.com/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("gpt-4.1-mini", OAI_USAGE, "max_completion_tokens", "") },
  { "deepseek", NULL, NULL, NULL, NULL, "deepseek-reasoner",
    "https://api.deepseek.com/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("deepseek-reasoner", OAI_USAGE, "max_tokens", "") },
  { "qwen", NULL, NULL, NULL, NULL, "qwen3-max",
    "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions", "Authorization",
    BEARER, SSE, OAI_BODY ("qwen3-max", OAI_USAGE, "max_tokens", ",\"enable_thinking\":true") },
  { "qwen", "singapore", NULL, NULL, NULL, "qwen-plus",
    "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions", "Authorization",
    BEARER, SSE, OAI_BODY ("qwen-plus", OAI_USAGE, "max_tokens", ",\"enable_thinking\":true") },
  { "qwen", "hongkong", NULL, NULL, NULL, "qwen-max",
    "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1/chat/completions",
    "Authorization", BEARER, SSE, OAI_BODY ("qwen-max", OAI_USAGE, "max_tokens", "") },
  { "moonshot", NULL, NULL, NULL, NULL, "kimi-k2-0905-preview",
    "https://api.moonshot.cn/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("kimi-k2-0905-preview", OAI_USAGE, "max_tokens", "") },
  { "moonshot", "global", NULL, NULL, NULL, "moonshot-v1-8k",
    "https://api.moonshot.ai/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("moonshot-v1-8k", OAI_USAGE, "max_tokens", "") },
  { "zhipu", NULL, NULL, NULL, NULL, "glm-4.6",
    "https://open.bigmodel.cn/api/paas/v4/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("glm-4.6", "", "max_tokens", "") },
  { "zhipu", "zai", NULL, NULL, NULL, "glm-4.5-air",
    "https://api.z.ai/api/paas/v4/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("glm-4.5-air", "", "max_tokens", "") },
  { "spark", NULL, NULL, NULL, NULL, "generalv3.5",
    "https://spark-api-open.xf-yun.com/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("generalv3.5", "", "max_tokens", "") },
  { "spark", "x1", NULL, NULL, NULL, "x1",
    "https://spark-api-open.xf-yun.com/v2/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("x1", "", "max_tokens", "") },
  { "qianfan", NULL, NULL, NULL, NULL, "ernie-4.5-turbo-128k",
    "https://qianfan.baidubce.com/v2/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("ernie-4.5-turbo-128k", OAI_USAGE, "max_tokens", "") },
  { "doubao", NULL, NULL, NULL, NULL, "ep-20250101-abcde",
    "https://ark.cn-beijing.volces.com/api/v3/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("ep-20250101-abcde", OAI_USAGE, "max_tokens", "") },
  { "siliconflow", NULL, NULL, NULL, NULL, "deepseek-ai/DeepSeek-V3",
    "https://api.siliconflow.cn/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("deepseek-ai/DeepSeek-V3", OAI_USAGE, "max_tokens", "") },
  { "siliconflow", "global", NULL, NULL, NULL, "Qwen/Qwen3-235B-A22B",
    "https://api.siliconflow.com/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("Qwen/Qwen3-235B-A22B", OAI_USAGE, "max_tokens", "") },
  { "openrouter", NULL, NULL, NULL, NULL, "anthropic/claude-sonnet-4.5",
    "https://openrouter.ai/api/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("anthropic/claude-sonnet-4.5", OAI_USAGE, "max_tokens", "") },
  { "custom", NULL, "http://127.0.0.1:1234/v1/", NULL, NULL, "local-model",
    "http://127.0.0.1:1234/v1/chat/completions", "Authorization", BEARER, SSE,
    OAI_BODY ("local-model", OAI_USAGE, "max_tokens", "") },

  /* Azure OpenAI (§2): the classic path has the deployment in the URL and
   * no model; v1 names the deployment in "model", and the request's model
   * wins over the account's deployment (more in test_request_azure_v1). */
  { "azure", NULL, "https://contoso-cn.openai.azure.com", "prod-gpt4o", "2024-10-21", "gpt-4o",
    "https://contoso-cn.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions"
    "?api-version=2024-10-21", "api-key", UNIT_KEY, SSE,
    "{" OAI_MESSAGES ",\"stream\":true" OAI_USAGE ",\"temperature\":0.7,\"max_tokens\":256}" },
  { "azure", NULL, "https://contoso-cn.openai.azure.com/", "prod-gpt4o", NULL, "gpt-4o",
    "https://contoso-cn.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions"
    "?api-version=" CONFAB_AZURE_DEFAULT_API_VERSION, "api-key", UNIT_KEY, SSE,
    "{" OAI_MESSAGES ",\"stream\":true" OAI_USAGE ",\"temperature\":0.7,\"max_tokens\":256}" },
  { "azure", NULL, "https://contoso-cn.openai.azure.com/openai/v1/", "prod-gpt4o", "v1", "gpt-4o",
    "https://contoso-cn.openai.azure.com/openai/v1/chat/completions", "api-key", UNIT_KEY, SSE,
    OAI_BODY ("gpt-4o", OAI_USAGE, "max_tokens", "") },

  /* Anthropic (§3): system on top, user/assistant turns only */
  { "anthropic", NULL, NULL, NULL, NULL, "claude-sonnet-4-5",
    "https://api.anthropic.com/v1/messages", "x-api-key", UNIT_KEY, SSE,
    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"system\":\"You are terse.\","
    "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":"
    "\"Hello!\"},{\"role\":\"user\",\"content\":\"法国的首都是？\"}],\"stream\":true,"
    "\"temperature\":0.7}" },
  { "anthropic", NULL, "https://gateway.example.com/anthropic/v1", NULL, NULL, "claude-haiku-4-5",
    "https://gateway.example.com/anthropic/v1/messages", "x-api-key", UNIT_KEY, SSE,
    "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":256,\"system\":\"You are terse.\","
    "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":"
    "\"Hello!\"},{\"role\":\"user\",\"content\":\"法国的首都是？\"}],\"stream\":true,"
    "\"temperature\":0.7}" },

  /* Gemini (§4): contents with user/model, systemInstruction, config */
  { "gemini", NULL, NULL, NULL, NULL, "gemini-2.5-flash",
    "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
    ":streamGenerateContent?alt=sse", "x-goog-api-key", UNIT_KEY, SSE,
    "{\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"}]},\"contents\":["
    "{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]},{\"role\":\"model\",\"parts\":[{\"text\":"
    "\"Hello!\"}]},{\"role\":\"user\",\"parts\":[{\"text\":\"法国的首都是？\"}]}],"
    "\"generationConfig\":{\"temperature\":0.7,\"maxOutputTokens\":256,"
    "\"thinkingConfig\":{\"includeThoughts\":true}}}" },
  { "gemini", NULL, NULL, NULL, NULL, "models/gemini-2.0-flash",
    "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash"
    ":streamGenerateContent?alt=sse", "x-goog-api-key", UNIT_KEY, SSE,
    "{\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"}]},\"contents\":["
    "{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]},{\"role\":\"model\",\"parts\":[{\"text\":"
    "\"Hello!\"}]},{\"role\":\"user\",\"parts\":[{\"text\":\"法国的首都是？\"}]}],"
    "\"generationConfig\":{\"temperature\":0.7,\"maxOutputTokens\":256}}" },

  /* Ollama (§5): thinking only for families that think; a stored key goes
   * as a Bearer token, for a remote server behind a gateway. */
  { "ollama", NULL, NULL, NULL, NULL, "qwen3:8b",
    "http://127.0.0.1:11434/api/chat", "Authorization", BEARER, "application/x-ndjson",
    "{\"model\":\"qwen3:8b\"," OAI_MESSAGES ",\"stream\":true,\"options\":{\"temperature\":0.7,"
    "\"num_predict\":256},\"think\":true}" },
  { "ollama", NULL, "http://gpu-box.lan:11434", NULL, NULL, "gpt-oss:20b",
    "http://gpu-box.lan:11434/api/chat", "Authorization", BEARER, "application/x-ndjson",
    "{\"model\":\"gpt-oss:20b\"," OAI_MESSAGES ",\"stream\":true,\"options\":{\"temperature\":0.7,"
    "\"num_predict\":256},\"think\":\"medium\"}" },
  { "ollama", NULL, NULL, NULL, NULL, "llama3.2",
    "http://127.0.0.1:11434/api/chat", "Authorization", BEARER, "application/x-ndjson",
    "{\"model\":\"llama3.2\"," OAI_MESSAGES ",\"stream\":true,\"options\":{\"temperature\":0.7,"
    "\"num_predict\":256}}" },
};

static ConfabAccount *
new_account (const char *provider,
             const char *region,
             const char *base_url)
{
  ConfabAccount *account = confab_account_new (NULL, "Test", provider);

  confab_account_set_region (account, region);
  confab_account_set_base_url (account, base_url);
  return account;
}

/* Builds @account's request and checks everything that goes out. */
static void
check_account_request (const RequestCase *rc,
                       ConfabAccount     *account,
                       ConfabChatRequest *request,
                       const char        *api_key,
                       const char        *body)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Sent) sent = NULL;
  SoupMessageHeaders *headers;

  provider = confab_provider_new_for_account (account, &error);
  g_assert_no_error (error);
  message = confab_provider_create_chat_message (provider, account, api_key, request, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (soup_message_get_method (message), ==, "POST");

  sent = send_captured (message);
  headers = sent->headers;
  g_assert_cmpstr (sent->url, ==, rc->url);
  g_assert_cmpstr (sent->method, ==, "POST");
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "application/json");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Accept"), ==, rc->accept);
  assert_json_equal (sent->body, body);

  if (api_key != NULL)
    {
      g_assert_cmpstr (soup_message_headers_get_one (headers, rc->auth_header), ==, rc->auth_value);
      assert_key_only_in (sent, api_key, rc->auth_header);
    }
  else
    {
      g_assert_null (soup_message_headers_get_one (headers, "Authorization"));
    }

  if (g_str_equal (rc->provider, "anthropic"))
    g_assert_cmpstr (soup_message_headers_get_one (headers, "anthropic-version"), ==, "2023-06-01");
  else
    g_assert_null (soup_message_headers_get_one (headers, "anthropic-version"));
}

/* Builds the case's request and checks everything that goes out. */
static void
check_request (const RequestCase *rc,
               ConfabChatRequest *request,
               const char        *api_key,
               const char        *body)
{
  g_autoptr(ConfabAccount) account = new_account (rc->provider, rc->region, rc->base_url);

  confab_account_set_deployment (account, rc->deployment);
  confab_account_set_api_version (account, rc->api_version);
  check_account_request (rc, account, request, api_key, body);
}

static void
test_request (gconstpointer data)
{
  const RequestCase *rc = data;
  g_autoptr(ConfabChatRequest) request = new_standard_request (rc->model);

  check_request (rc, request, UNIT_KEY, rc->body);
}

/* A local Ollama gets no credential at all. */
static void
test_request_ollama_keyless (void)
{
  const RequestCase *rc = &request_cases[G_N_ELEMENTS (request_cases) - 1];
  g_autoptr(ConfabChatRequest) request = new_standard_request (rc->model);

  g_assert_cmpstr (rc->provider, ==, "ollama");
  check_request (rc, request, NULL, rc->body);
}

static ConfabChatRequest *
new_uneven_request (const char *model,
                    double      temperature)
{
  ConfabChatRequest *request = confab_chat_request_new (model);

  confab_chat_request_set_system_prompt (request, "S");
  confab_chat_request_set_temperature (request, temperature);
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, "a");
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, "b");
  confab_chat_request_add_message (request, CONFAB_ROLE_ASSISTANT, "c");
  confab_chat_request_add_message (request, CONFAB_ROLE_ASSISTANT, "d");
  confab_chat_request_add_message (request, CONFAB_ROLE_SYSTEM, "extra rule");
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, "e");
  return request;
}

/* Turns of one role in a row are merged, system turns join the system
 * prompt, max_tokens defaults to 4096 and temperature stops at 1. */
static void
test_request_anthropic_shape (void)
{
  const RequestCase *rc = NULL;
  g_autoptr(ConfabChatRequest) hot = new_uneven_request ("claude-opus-4-1", 1.7);
  g_autoptr(ConfabChatRequest) plain = new_uneven_request ("claude-opus-4-1", -1);

  for (guint i = 0; i < G_N_ELEMENTS (request_cases) && rc == NULL; i++)
    if (g_str_equal (request_cases[i].provider, "anthropic"))
      rc = &request_cases[i];

  check_request (rc, hot, UNIT_KEY,
                 "{\"model\":\"claude-opus-4-1\",\"max_tokens\":4096,\"system\":\"S\\n\\nextra rule\","
                 "\"messages\":[{\"role\":\"user\",\"content\":\"a\\n\\nb\"},{\"role\":\"assistant\","
                 "\"content\":\"c\\n\\nd\"},{\"role\":\"user\",\"content\":\"e\"}],\"stream\":true,"
                 "\"temperature\":1.0}");
  check_request (rc, plain, UNIT_KEY,
                 "{\"model\":\"claude-opus-4-1\",\"max_tokens\":4096,\"system\":\"S\\n\\nextra rule\","
                 "\"messages\":[{\"role\":\"user\",\"content\":\"a\\n\\nb\"},{\"role\":\"assistant\","
                 "\"content\":\"c\\n\\nd\"},{\"role\":\"user\",\"content\":\"e\"}],\"stream\":true}");
}

static void
test_request_gemini_shape (void)
{
  static const RequestCase rc = {
    "gemini", NULL, NULL, NULL, NULL, "gemini-1.5-flash",
    "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-flash"
    ":streamGenerateContent?alt=sse", "x-goog-api-key", UNIT_KEY, SSE, NULL
  };
  g_autoptr(ConfabChatRequest) request = new_uneven_request ("gemini-1.5-flash", -1);

  /* No settings and a model that does not think: no generationConfig. */
  check_request (&rc, request, UNIT_KEY,
                 "{\"systemInstruction\":{\"parts\":[{\"text\":\"S\\n\\nextra rule\"}]},"
                 "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a\\n\\nb\"}]},"
                 "{\"role\":\"model\",\"parts\":[{\"text\":\"c\\n\\nd\"}]},"
                 "{\"role\":\"user\",\"parts\":[{\"text\":\"e\"}]}]}");
}

static void
assert_request_fails (ConfabAccount *account,
                      const char    *message_part)
{
  g_autoptr(ConfabProvider) provider = confab_provider_new_for_account (account, NULL);
  g_autoptr(ConfabChatRequest) request = new_standard_request ("gpt-4o");
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = confab_provider_create_chat_message (provider, account, UNIT_KEY, request, &error);
  g_assert_null (message);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, message_part));
  g_assert_null (strstr (error->message, UNIT_KEY));
}

static void
test_request_azure_incomplete (void)
{
  g_autoptr(ConfabAccount) no_deployment = new_account ("azure", NULL, "https://contoso.openai.azure.com");
  g_autoptr(ConfabAccount) no_endpoint = new_account ("azure", NULL, NULL);
  g_autoptr(ConfabAccount) v1_no_deployment = new_account ("azure", NULL, "https://contoso.openai.azure.com");
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) no_model = new_standard_request (NULL);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  confab_account_set_deployment (no_endpoint, "prod");
  confab_account_set_api_version (v1_no_deployment, "v1");
  assert_request_fails (no_deployment, "deployment");
  assert_request_fails (no_endpoint, "endpoint");

  /* v1 needs a model from somewhere: the request, the account or its
   * deployment. */
  provider = confab_provider_new_for_account (v1_no_deployment, NULL);
  message = confab_provider_create_chat_message (provider, v1_no_deployment, UNIT_KEY, no_model,
                                                 &error);
  g_assert_null (message);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "no model and no deployment"));
}

/* On the v1 path the body's model is the request's (chat --model, the
 * window's pick), else the account's default model, else its deployment;
 * no deployment is needed. The preset's first model, which the front ends
 * fall back to when the account names none, does not hide a deployment. */
static void
test_request_azure_v1 (void)
{
  static const struct
  {
    const char *deployment;
    const char *account_model;
    const char *request_model;
    const char *sent_model;
  } cases[] = {
    { "prod-gpt4o", NULL, "gpt-4o", "gpt-4o" },
    { "prod-gpt4o", NULL, NULL, "prod-gpt4o" },
    { "prod-gpt4o", NULL, "  ", "prod-gpt4o" },
    { "prod-gpt4o", NULL, "gpt-4.1", "prod-gpt4o" },
    { "prod-gpt4o", "team-mini", NULL, "team-mini" },
    { "prod-gpt4o", "team-mini", "gpt-4.1", "gpt-4.1" },
    { NULL, NULL, "echo", "echo" },
    { NULL, NULL, "gpt-4.1", "gpt-4.1" },
    { NULL, "team-mini", NULL, "team-mini" },
    { NULL, "team-mini", "o4-mini", "o4-mini" },
  };
  static const RequestCase rc = {
    "azure", NULL, "https://contoso-cn.openai.azure.com/openai/v1", NULL, "v1", NULL,
    "https://contoso-cn.openai.azure.com/openai/v1/chat/completions", "api-key", UNIT_KEY, SSE,
    NULL
  };

  g_assert_cmpstr (confab_provider_info_lookup ("azure")->models[0], ==, "gpt-4.1");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ConfabAccount) account = new_account ("azure", NULL, rc.base_url);
      g_autoptr(ConfabChatRequest) request = new_standard_request (cases[i].request_model);
      g_autofree char *body = g_strdup_printf (OAI_BODY ("%s", OAI_USAGE, "max_tokens", ""),
                                               cases[i].sent_model);

      confab_account_set_api_version (account, "v1");
      confab_account_set_deployment (account, cases[i].deployment);
      confab_account_set_model (account, cases[i].account_model);
      check_account_request (&rc, account, request, UNIT_KEY, body);
      g_assert_cmpstr (confab_chat_request_get_model (request), ==, cases[i].request_model);
    }
}

/* ------------------------------------------------------------------ */
/* Streams                                                            */
/* ------------------------------------------------------------------ */

typedef struct
{
  GString *text;
  GString *reasoning;
  gint64   input_tokens;
  gint64   output_tokens;
  guint    n_usage;
} Collected;

static void
on_delta (const ConfabDelta *delta,
          gpointer           user_data)
{
  Collected *c = user_data;

  switch (delta->kind)
    {
    case CONFAB_DELTA_TEXT:
      g_string_append (c->text, delta->text);
      break;
    case CONFAB_DELTA_REASONING:
      g_string_append (c->reasoning, delta->text);
      break;
    case CONFAB_DELTA_USAGE:
      c->input_tokens = delta->input_tokens;
      c->output_tokens = delta->output_tokens;
      c->n_usage++;
      break;
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  const char *fixture;
  const char *provider;
  const char *text;
  const char *reasoning;
  gint64      input_tokens;
  gint64      output_tokens;
  const char *finish_reason;
  int         error_code;     /* -1: success */
  const char *message_part;
} StreamCase;

static const StreamCase stream_cases[] = {
  { "anthropic-text.sse", "anthropic", "你好！ I'm doing well, thanks.", "", 20, 30, "stop", -1, NULL },
  { "anthropic-thinking.sse", "anthropic", "925 ÷ 5 = 185", "925 divided by 5 is 185.", 69, 53, "stop", -1, NULL },
  { "anthropic-unnamed-events.sse", "anthropic", "No event lines", "", 4, 3, "length", -1, NULL },
  { "anthropic-overloaded.sse", "anthropic", "", "", -1, -1, NULL, CONFAB_ERROR_SERVER, "Overloaded" },
  { "anthropic-rate-limit.sse", "anthropic", "Partial ", "", 7, -1, NULL, CONFAB_ERROR_RATE_LIMIT, "50 requests per minute" },
  { "anthropic-no-stop.sse", "anthropic", "Cut ", "", 7, 2, NULL, CONFAB_ERROR_NETWORK, NULL },
  { "anthropic-malformed.sse", "anthropic", "ok", "", 4, -1, NULL, CONFAB_ERROR_PROTOCOL, NULL },
  { "gemini-text.sse", "gemini", "北京是中国的首都。\n", "", 8, 8, "stop", -1, NULL },
  { "gemini-thinking.sse", "gemini", "There are **3** \"r\"s in strawberry.\n\nSt**r**awbe**rr**y",
    "**Counting letters**\n\nI need the r's in strawberry.", 9, 325, "stop", -1, NULL },
  { "gemini-blocked-prompt.sse", "gemini", "", "", 11, -1, NULL, CONFAB_ERROR_BAD_REQUEST, "SAFETY" },
  { "gemini-safety-stop.sse", "gemini", "Here is how", "", 6, 3, NULL, CONFAB_ERROR_BAD_REQUEST, "SAFETY" },
  { "gemini-inband-error.sse", "gemini", "Starting ", "", 5, 1, NULL, CONFAB_ERROR_SERVER, "overloaded" },
  { "gemini-truncated.sse", "gemini", "No finish reason", "", 5, 3, NULL, CONFAB_ERROR_NETWORK, NULL },
  { "ollama-text.ndjson", "ollama", "天空是蓝色的。", "", 26, 282, "stop", -1, NULL },
  { "ollama-thinking-crlf.ndjson", "ollama", "Hello!", "The user wants a greeting.", -1, 40, "length", -1, NULL },
  { "ollama-inband-error.ndjson", "ollama", "Once upon", "", -1, -1, NULL, CONFAB_ERROR_SERVER, "unexpected EOF" },
  { "ollama-truncated.ndjson", "ollama", "Half a reply", "", -1, -1, NULL, CONFAB_ERROR_NETWORK, NULL },
  { "ollama-malformed.ndjson", "ollama", "ok", "", -1, -1, NULL, CONFAB_ERROR_PROTOCOL, NULL },
  { "azure-prompt-filter.sse", "azure", "Azure says hi", "", 9, 4, "stop", -1, NULL },
  { "azure-reasoning.sse", "azure", "答案是 42。", "Thinking…", 10, 12, "stop", -1, NULL },
  { "azure-content-filter.sse", "azure", "The battle began when", "", -1, -1, NULL, CONFAB_ERROR_BAD_REQUEST, "content filter" },
};

/* Feeds @data in pieces of @step bytes (0: whole) and checks the result. */
static void
run_stream_case (const StreamCase *sc,
                 const char       *data,
                 gsize             len,
                 gsize             step)
{
  g_autoptr(ConfabProvider) provider = confab_provider_new (confab_provider_info_lookup (sc->provider));
  g_autoptr(ConfabStreamParser) parser = confab_provider_create_stream_parser (provider);
  g_autoptr(GError) error = NULL;
  Collected c = { g_string_new (NULL), g_string_new (NULL), -1, -1, 0 };
  gboolean ok = TRUE;

  confab_stream_parser_set_delta_func (parser, on_delta, &c);
  if (step == 0)
    step = len;
  for (gsize offset = 0; ok && offset < len; offset += step)
    ok = confab_stream_parser_feed (parser, data + offset, MIN (step, len - offset), &error);
  if (ok)
    ok = confab_stream_parser_finish (parser, &error);

  g_assert_cmpstr (c.text->str, ==, sc->text);
  g_assert_cmpstr (c.reasoning->str, ==, sc->reasoning);
  g_assert_cmpint (c.input_tokens, ==, sc->input_tokens);
  g_assert_cmpint (c.output_tokens, ==, sc->output_tokens);
  if (sc->error_code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_true (confab_stream_parser_is_complete (parser));
      g_assert_cmpstr (confab_stream_parser_get_finish_reason (parser), ==, sc->finish_reason);
    }
  else
    {
      g_assert_error (error, CONFAB_ERROR, sc->error_code);
      g_assert_false (ok);
      if (sc->message_part != NULL)
        g_assert_nonnull (strstr (error->message, sc->message_part));
      /* The stream stays failed. */
      g_clear_error (&error);
      g_assert_false (confab_stream_parser_feed (parser, "\n\n", 2, &error));
      g_assert_error (error, CONFAB_ERROR, sc->error_code);
    }

  g_string_free (c.text, TRUE);
  g_string_free (c.reasoning, TRUE);
}

static void
test_stream (gconstpointer data)
{
  const StreamCase *sc = data;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", sc->fixture, NULL);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));

  run_stream_case (sc, contents, len, 0);
  run_stream_case (sc, contents, len, 1);
  run_stream_case (sc, contents, len, 3);
  run_stream_case (sc, contents, len, 7);
  run_stream_case (sc, contents, len, 61);
}

/* ------------------------------------------------------------------ */
/* Error bodies                                                       */
/* ------------------------------------------------------------------ */

typedef struct
{
  const char *provider;
  guint       status;
  const char *body;
  int         code;
  const char *message_part;
  gint64      retry_after_ms;  /* -1: none */
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* §15: region blocks */
  { "openai", 403, "{\"error\":{\"code\":\"unsupported_country_region_territory\",\"message\":\"Country, region, or territory not supported\",\"param\":null,\"type\":\"request_forbidden\"}}", CONFAB_ERROR_REGION, "Country, region, or territory not supported", -1 },
  { "gemini", 400, "{\"error\":{\"code\":400,\"message\":\"User location is not supported for the API use.\",\"status\":\"FAILED_PRECONDITION\"}}", CONFAB_ERROR_REGION, "User location is not supported", -1 },
  { "anthropic", 403, "{\"error\":{\"type\":\"forbidden\",\"message\":\"Request not allowed\"}}", CONFAB_ERROR_REGION, "Request not allowed", -1 },

  /* §1 OpenAI */
  { "openai", 401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-abc.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}", CONFAB_ERROR_AUTH, "Incorrect API key", -1 },
  { "openai", 429, "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}", CONFAB_ERROR_QUOTA, "current quota", -1 },
  { "openai", 429, "{\"error\":{\"message\":\"Rate limit reached for gpt-4.1 in organization org-x on requests per min (RPM)\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}", CONFAB_ERROR_RATE_LIMIT, "Rate limit reached", -1 },
  { "openai", 503, "{\"error\":{\"message\":\"The engine is currently overloaded, please try again later.\",\"type\":\"server_error\"}}", CONFAB_ERROR_SERVER, "overloaded", -1 },

  /* §2 Azure */
  { "azure", 400, "{\"error\":{\"message\":\"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.\",\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\",\"status\":400,\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\",\"content_filter_result\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"jailbreak\":{\"filtered\":true,\"detected\":true},\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},\"violence\":{\"filtered\":true,\"severity\":\"medium\"}}}}}", CONFAB_ERROR_BAD_REQUEST, "content filter", -1 },
  { "azure", 400, "{\"error\":{\"message\":\"The response was filtered\",\"code\":\"content_filter\",\"inner_error\":{\"code\":\"ResponsibleAIPolicyViolation\",\"content_filter_results\":{\"sexual\":{\"filtered\":true,\"severity\":\"high\"}}}}}", CONFAB_ERROR_BAD_REQUEST, "sexual content", -1 },
  { "azure", 429, "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 7 seconds.\"}}", CONFAB_ERROR_RATE_LIMIT, "exceeded token rate limit", -1 },
  { "azure", 401, "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid subscription key or wrong API endpoint.\"}}", CONFAB_ERROR_AUTH, "invalid subscription key", -1 },
  { "azure", 404, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this resource does not exist.\"}}", CONFAB_ERROR_NOT_FOUND, "deployment for this resource", -1 },

  /* §3 Anthropic */
  { "anthropic", 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages: roles must alternate\"},\"request_id\":\"req_1\"}", CONFAB_ERROR_BAD_REQUEST, "roles must alternate", -1 },
  { "anthropic", 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.\"},\"request_id\":\"req_2\"}", CONFAB_ERROR_QUOTA, "credit balance is too low", -1 },
  { "anthropic", 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"},\"request_id\":\"req_3\"}", CONFAB_ERROR_AUTH, "invalid x-api-key", -1 },
  { "anthropic", 402, "{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"Billing issue\"}}", CONFAB_ERROR_QUOTA, "Billing issue", -1 },
  { "anthropic", 403, "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"Your API key does not have permission to use the specified resource.\"}}", CONFAB_ERROR_AUTH, "does not have permission", -1 },
  { "anthropic", 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-9\"}}", CONFAB_ERROR_NOT_FOUND, "claude-9", -1 },
  { "anthropic", 413, "{\"type\":\"error\",\"error\":{\"type\":\"request_too_large\",\"message\":\"Request exceeds the maximum allowed number of bytes.\"}}", CONFAB_ERROR_BAD_REQUEST, "maximum allowed", -1 },
  { "anthropic", 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would exceed the rate limit for your organization.\"}}", CONFAB_ERROR_RATE_LIMIT, "exceed the rate limit", -1 },
  { "anthropic", 500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}", CONFAB_ERROR_SERVER, "Internal server error", -1 },
  { "anthropic", 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req_4\"}", CONFAB_ERROR_SERVER, "Overloaded", -1 },

  /* §4 Gemini */
  { "gemini", 400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}}]}}", CONFAB_ERROR_AUTH, "API key not valid", -1 },
  { "gemini", 429, "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota, please check your plan and billing details.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"generativelanguage.googleapis.com/generate_content_free_tier_requests\",\"quotaId\":\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\"}]},{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"37s\"}]}}", CONFAB_ERROR_RATE_LIMIT, "current quota", 37000 },
  { "gemini", 429, "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota, please check your plan and billing details.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"generativelanguage.googleapis.com/generate_content_free_tier_requests\",\"quotaId\":\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]}]}}", CONFAB_ERROR_QUOTA, "current quota", -1 },
  { "gemini", 400, "{\"error\":{\"code\":400,\"message\":\"* GenerateContentRequest.contents: contents is not specified\\n\",\"status\":\"INVALID_ARGUMENT\"}}", CONFAB_ERROR_BAD_REQUEST, "contents is not specified", -1 },
  { "gemini", 403, "{\"error\":{\"code\":403,\"message\":\"Method doesn't allow unregistered callers.\",\"status\":\"PERMISSION_DENIED\"}}", CONFAB_ERROR_AUTH, "unregistered callers", -1 },
  { "gemini", 404, "{\"error\":{\"code\":404,\"message\":\"models/gemini-9 is not found for API version v1beta\",\"status\":\"NOT_FOUND\"}}", CONFAB_ERROR_NOT_FOUND, "gemini-9", -1 },
  { "gemini", 500, "{\"error\":{\"code\":500,\"message\":\"An internal error has occurred.\",\"status\":\"INTERNAL\"}}", CONFAB_ERROR_SERVER, "internal error", -1 },
  { "gemini", 503, "{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}", CONFAB_ERROR_SERVER, "overloaded", -1 },

  /* §5 Ollama */
  { "ollama", 404, "{\"error\":\"model 'llama9' not found\"}", CONFAB_ERROR_NOT_FOUND, "llama9", -1 },
  { "ollama", 400, "{\"error\":\"invalid options: num_predict\"}", CONFAB_ERROR_BAD_REQUEST, "invalid options", -1 },
  { "ollama", 500, "{\"error\":\"llama runner process has terminated: exit status 2\"}", CONFAB_ERROR_SERVER, "exit status 2", -1 },
  { "ollama", 502, "{\"error\":\"cloud model unreachable\"}", CONFAB_ERROR_SERVER, "unreachable", -1 },
  { "ollama", 429, "{\"error\":\"you have reached your usage limit, upgrade for higher limits\"}", CONFAB_ERROR_QUOTA, "usage limit", -1 },

  /* §6–§14: the OpenAI-compatible presets' own shapes */
  { "deepseek", 401, "{\"error\":{\"message\":\"Authentication Fails, Your api key: ****abcd is invalid\",\"type\":\"authentication_error\",\"param\":null,\"code\":\"invalid_request_error\"}}", CONFAB_ERROR_AUTH, "Authentication Fails", -1 },
  { "deepseek", 402, "{\"error\":{\"message\":\"Insufficient Balance\",\"type\":\"unknown_error\",\"param\":null,\"code\":\"invalid_request_error\"}}", CONFAB_ERROR_QUOTA, "Insufficient Balance", -1 },
  { "qwen", 401, "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}", CONFAB_ERROR_AUTH, "Incorrect API key", -1 },
  { "qwen", 429, "{\"error\":{\"message\":\"Requests rate limit exceeded, please try again later.\",\"type\":\"Throttling.RateQuota\",\"code\":\"Throttling.RateQuota\"}}", CONFAB_ERROR_RATE_LIMIT, "rate limit exceeded", -1 },
  { "qwen", 400, "{\"error\":{\"code\":\"Arrearage\",\"param\":null,\"message\":\"Access denied, please make sure your account is in good standing.\",\"type\":\"Arrearage\"}}", CONFAB_ERROR_QUOTA, "good standing", -1 },
  { "qwen", 400, "data: {\"error\":{\"code\":\"data_inspection_failed\",\"param\":null,\"message\":\"Input text data may contain inappropriate content.\",\"type\":\"data_inspection_failed\"}}", CONFAB_ERROR_BAD_REQUEST, "inappropriate content", -1 },
  { "moonshot", 400, "{\"error\":{\"type\":\"content_filter\",\"message\":\"The request was rejected because it was considered high risk\"}}", CONFAB_ERROR_BAD_REQUEST, "high risk", -1 },
  { "moonshot", 429, "{\"error\":{\"type\":\"exceeded_current_quota_error\",\"message\":\"You exceeded your current quota\"}}", CONFAB_ERROR_QUOTA, "current quota", -1 },
  { "zhipu", 429, "{\"error\":{\"code\":\"1113\",\"message\":\"余额不足或无可用资源包,请充值。\"}}", CONFAB_ERROR_QUOTA, "余额不足", -1 },
  { "zhipu", 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"code\":\"1113\",\"message\":\"[1113][Insufficient balance or no resource package. Please recharge.][req]\"}}", CONFAB_ERROR_QUOTA, "Insufficient balance", -1 },
  { "zhipu", 429, "{\"error\":{\"code\":\"1302\",\"message\":\"您当前使用该API的并发数过高，请降低并发\"}}", CONFAB_ERROR_RATE_LIMIT, "并发数过高", -1 },
  { "zhipu", 401, "{\"error\":{\"code\":\"1002\",\"message\":\"Authorization Token非法，请确认Authorization Token正确传递。\"}}", CONFAB_ERROR_AUTH, "Authorization Token", -1 },
  { "spark", 400, "{\"error\":{\"message\":\"invalid param model:spark-lite (sid: cha000b)\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"10005\"}}", CONFAB_ERROR_BAD_REQUEST, "invalid param model", -1 },
  { "spark", 401, "{\"message\":\"Unauthorized\"}", CONFAB_ERROR_AUTH, "Unauthorized", -1 },
  { "qianfan", 401, "{\"error\":{\"code\":\"invalid_iam_token\",\"message\":\"IAM Certification failed\",\"type\":\"invalid_request_error\"},\"id\":\"as-1\"}", CONFAB_ERROR_AUTH, "IAM Certification failed", -1 },
  { "qianfan", 403, "{\"error\":{\"code\":\"account_overdue\",\"message\":\"account overdue\",\"type\":\"access_denied\"}}", CONFAB_ERROR_QUOTA, "overdue", -1 },
  { "doubao", 403, "{\"error\":{\"code\":\"AccountOverdueError\",\"message\":\"The request failed because your account has an overdue balance. Request ID: 1\",\"type\":\"Forbidden\"}}", CONFAB_ERROR_QUOTA, "overdue", -1 },
  { "doubao", 404, "{\"error\":{\"code\":\"ModelNotOpen\",\"message\":\"Your account has not activated the model doubao-seed. Request ID: 2\",\"type\":\"NotFound\"}}", CONFAB_ERROR_NOT_FOUND, "not activated", -1 },
  { "doubao", 429, "{\"error\":{\"code\":\"RateLimitExceeded.EndpointRPMExceeded\",\"message\":\"The request has exceeded the RPM limit. Request ID: 3\",\"type\":\"TooManyRequests\"}}", CONFAB_ERROR_RATE_LIMIT, "RPM limit", -1 },
  { "siliconflow", 400, "{\"code\":20012,\"message\":\"Model does not exist. Please check it carefully.\",\"data\":null}", CONFAB_ERROR_BAD_REQUEST, "Model does not exist", -1 },
  { "siliconflow", 429, "{\"code\":50603,\"message\":\"System is too busy now. Please try again later.\",\"data\":null}", CONFAB_ERROR_RATE_LIMIT, "too busy", -1 },
  { "openrouter", 402, "{\"error\":{\"code\":402,\"message\":\"Insufficient credits. Add more using https://openrouter.ai/credits\"}}", CONFAB_ERROR_QUOTA, "Insufficient credits", -1 },
  { "openrouter", 503, "{\"error\":{\"code\":503,\"message\":\"No allowed providers are available for the selected model.\"}}", CONFAB_ERROR_SERVER, "No allowed providers", -1 },
  { "custom", 400, "{\"error_code\":110,\"error_msg\":\"Access token invalid or no longer valid\"}", CONFAB_ERROR_BAD_REQUEST, "Access token invalid", -1 },
};

static void
test_error_bodies (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *ec = &error_cases[i];
      g_autoptr(ConfabProvider) provider = confab_provider_new (confab_provider_info_lookup (ec->provider));
      g_autoptr(GBytes) body = g_bytes_new_static (ec->body, strlen (ec->body));
      g_autoptr(GError) error = NULL;
      gint64 retry_after_ms = -1;

      g_test_message ("error case %u: %s %u", i, ec->provider, ec->status);
      error = confab_provider_parse_error (provider, ec->status, body, &retry_after_ms);
      g_assert_error (error, CONFAB_ERROR, ec->code);
      g_assert_nonnull (strstr (error->message, ec->message_part));
      g_assert_cmpint (retry_after_ms, ==, ec->retry_after_ms);
    }
}

/* The region error says what to do; the content filter in plain words
 * names what it flagged. */
static void
test_error_explanations (void)
{
  g_autoptr(ConfabProvider) gemini = confab_provider_new (confab_provider_info_lookup ("gemini"));
  g_autoptr(ConfabProvider) azure = confab_provider_new (confab_provider_info_lookup ("azure"));
  const ErrorCase *region = &error_cases[1];
  const ErrorCase *filter = NULL;
  g_autoptr(GBytes) region_body = g_bytes_new_static (region->body, strlen (region->body));
  g_autoptr(GBytes) filter_body = NULL;
  g_autoptr(GError) error = NULL;

  error = confab_provider_parse_error (gemini, region->status, region_body, NULL);
  g_assert_nonnull (strstr (error->message, "not available in this region"));
  g_assert_nonnull (strstr (error->message, "Google Gemini"));

  for (guint i = 0; i < G_N_ELEMENTS (error_cases) && filter == NULL; i++)
    if (g_str_equal (error_cases[i].provider, "azure") && error_cases[i].status == 400)
      filter = &error_cases[i];
  filter_body = g_bytes_new_static (filter->body, strlen (filter->body));
  g_clear_error (&error);
  error = confab_provider_parse_error (azure, filter->status, filter_body, NULL);
  g_assert_nonnull (strstr (error->message, "Azure OpenAI’s content filter refused this message"));
  g_assert_nonnull (strstr (error->message, "jailbreak"));
  g_assert_nonnull (strstr (error->message, "violence"));
  g_assert_null (strstr (error->message, "hate"));
  g_assert_nonnull (strstr (error->message, "Azure OpenAI's content management policy"));
}

/* An error inside a 200 stream has no status: its type decides. */
static void
test_in_band_error_types (void)
{
  static const struct
  {
    const char *type;
    int         code;
  } cases[] = {
    { "overloaded_error", CONFAB_ERROR_SERVER },
    { "api_error", CONFAB_ERROR_SERVER },
    { "rate_limit_error", CONFAB_ERROR_RATE_LIMIT },
    { "authentication_error", CONFAB_ERROR_AUTH },
    { "permission_error", CONFAB_ERROR_AUTH },
    { "not_found_error", CONFAB_ERROR_NOT_FOUND },
    { "invalid_request_error", CONFAB_ERROR_BAD_REQUEST },
    { "billing_error", CONFAB_ERROR_QUOTA },
  };
  const ConfabProviderInfo *info = confab_provider_info_lookup ("anthropic");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"error\",\"error\":{\"type\":\"%s\","
                                               "\"message\":\"m%u\"}}", cases[i].type, i);
      g_autoptr(JsonNode) root = parse_json (text, -1);
      g_autoptr(GError) error = confab_provider_error_from_json (info, 0, root, NULL);

      g_test_message ("in-band %s", cases[i].type);
      g_assert_error (error, CONFAB_ERROR, cases[i].code);
    }
}

/* ------------------------------------------------------------------ */
/* Against the mock provider                                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  const char *name;
  const char *provider;
  const char *base_suffix;   /* appended to the mock's URL */
  const char *deployment;
  const char *api_version;
} MockAccount;

static const MockAccount mock_accounts[] = {
  { "anthropic", "anthropic", "", NULL, NULL },
  { "gemini", "gemini", "/v1beta", NULL, NULL },
  { "ollama", "ollama", "", NULL, NULL },
  { "azure", "azure", "", "echo", "2024-10-21" },
  { "azure-v1", "azure", "", "echo", "v1" },
  { "azure-v1-model", "azure", "", NULL, "v1" },
  { "openai", "custom", "/v1", NULL, NULL },
};

static const MockAccount *
lookup_mock_account (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (mock_accounts); i++)
    if (g_str_equal (mock_accounts[i].name, name))
      return &mock_accounts[i];
  g_assert_not_reached ();
}

/* An account on the mock, with @key in the keyring (none: no key). */
static ConfabAccount *
new_mock_account (ConfabTestEnv *env,
                  const char    *name,
                  const char    *key)
{
  const MockAccount *ma = lookup_mock_account (name);
  g_autofree char *base = g_strconcat (env->mock_url, ma->base_suffix, NULL);
  ConfabAccount *account = confab_account_new (NULL, name, ma->provider);
  g_autoptr(GError) error = NULL;

  confab_account_set_base_url (account, base);
  confab_account_set_deployment (account, ma->deployment);
  confab_account_set_api_version (account, ma->api_version);
  if (key != NULL)
    {
      confab_keyring_store_sync (confab_account_get_id (account), CONFAB_SECRET_API_KEY, name,
                                 key, NULL, &error);
      g_assert_no_error (error);
    }
  return account;
}

typedef struct
{
  GPtrArray *models;
  GError    *error;
  gboolean   done;
} ModelsResult;

static void
on_models (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ModelsResult *r = user_data;

  r->models = confab_model_list_fetch_finish (result, &r->error);
  r->done = TRUE;
}

static GPtrArray *
fetch_models (ConfabAccount  *account,
              GError        **error)
{
  ModelsResult r = { NULL, NULL, FALSE };

  confab_model_list_fetch_async (account, NULL, on_models, &r);
  confab_test_wait_for (&r.done);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.models;
}

static gboolean
models_contain (GPtrArray  *models,
                const char *id)
{
  return g_ptr_array_find_with_equal_func (models, id, g_str_equal, NULL);
}

static void
assert_same_models (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

/* The GET requests the mock saw since @from, with their queries. */
static GPtrArray *
recorded_gets (ConfabTestEnv *env,
               guint          from)
{
  g_autoptr(GPtrArray) requests = confab_test_env_read_requests (env);
  GPtrArray *gets = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);

  for (guint i = from; i < requests->len; i++)
    {
      JsonObject *request = json_node_get_object (g_ptr_array_index (requests, i));

      if (g_str_equal (json_object_get_string_member (request, "method"), "GET"))
        g_ptr_array_add (gets, json_node_ref (g_ptr_array_index (requests, i)));
    }
  return gets;
}

static guint
n_recorded (ConfabTestEnv *env)
{
  g_autoptr(GPtrArray) requests = confab_test_env_read_requests (env);

  return requests->len;
}

static const char *
recorded_query (JsonNode   *request,
                const char *name)
{
  JsonObject *query = json_object_get_object_member (json_node_get_object (request), "query");

  return json_object_has_member (query, name) ? json_object_get_string_member (query, name) : NULL;
}

/* Small pages take several requests and give the same list as one;
 * returns that list. */
static GPtrArray *
check_paging (ConfabTestEnv *env,
              const char    *name,
              const char    *token_param)
{
  g_autoptr(ConfabAccount) account = new_mock_account (env, name, CONFAB_TEST_KEY);
  g_autoptr(GPtrArray) whole = NULL;
  g_autoptr(GPtrArray) paged = NULL;
  g_autoptr(GPtrArray) gets = NULL;
  g_autoptr(GError) error = NULL;
  guint first;

  whole = fetch_models (account, &error);
  g_assert_no_error (error);
  g_assert_true (models_contain (whole, "echo"));
  g_assert_cmpuint (whole->len, >, 8);

  first = n_recorded (env);
  g_setenv ("CONFAB_MODELS_PAGE_SIZE", "4", TRUE);
  paged = fetch_models (account, &error);
  g_unsetenv ("CONFAB_MODELS_PAGE_SIZE");
  g_assert_no_error (error);
  assert_same_models (whole, paged);

  gets = recorded_gets (env, first);
  g_assert_cmpuint (gets->len, >=, 3);
  g_assert_null (recorded_query (g_ptr_array_index (gets, 0), token_param));
  for (guint i = 1; i < gets->len; i++)
    g_assert_nonnull (recorded_query (g_ptr_array_index (gets, i), token_param));
  return g_steal_pointer (&paged);
}

static void
test_models_anthropic (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GPtrArray) models = check_paging (env, "anthropic", "after_id");
  g_autoptr(GPtrArray) gets = recorded_gets (env, 0);

  /* The whole list in one page, then pages of four, each after the last
   * id of the page before. */
  g_assert_cmpstr (recorded_query (g_ptr_array_index (gets, 0), "limit"), ==, "1000");
  for (guint i = 1; i < gets->len; i++)
    {
      g_assert_cmpstr (recorded_query (g_ptr_array_index (gets, i), "limit"), ==, "4");
      if (i > 1)
        g_assert_cmpstr (recorded_query (g_ptr_array_index (gets, i), "after_id"), ==,
                         g_ptr_array_index (models, 4 * (i - 1) - 1));
    }
}

static void
test_models_gemini (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(ConfabAccount) account = new_mock_account (env, "gemini", CONFAB_TEST_KEY);
  g_autoptr(GPtrArray) paged = check_paging (env, "gemini", "pageToken");
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;

  /* Embedding models cannot chat; names lose their "models/". */
  models = fetch_models (account, &error);
  g_assert_no_error (error);
  g_assert_false (models_contain (models, "gemini-embedding-001"));
  for (guint i = 0; i < models->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (models, i), "models/"));
}

static void
test_models_simple (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(ConfabAccount) ollama = new_mock_account (env, "ollama", NULL);
  g_autoptr(ConfabAccount) azure_v1 = new_mock_account (env, "azure-v1", CONFAB_TEST_KEY);
  g_autoptr(ConfabAccount) openai = new_mock_account (env, "openai", CONFAB_TEST_KEY);
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GPtrArray) gets = NULL;
  g_autoptr(GError) error = NULL;

  models = fetch_models (ollama, &error);
  g_assert_no_error (error);
  g_assert_true (models_contain (models, "echo:latest"));

  g_clear_pointer (&models, g_ptr_array_unref);
  models = fetch_models (azure_v1, &error);
  g_assert_no_error (error);
  g_assert_true (models_contain (models, "content-filter"));

  g_clear_pointer (&models, g_ptr_array_unref);
  models = fetch_models (openai, &error);
  g_assert_no_error (error);
  g_assert_true (models_contain (models, "echo"));

  gets = recorded_gets (env, 0);
  g_assert_cmpuint (gets->len, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (g_ptr_array_index (gets, 0)),
                                                  "path"), ==, "/api/tags");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (g_ptr_array_index (gets, 1)),
                                                  "path"), ==, "/openai/v1/models");
}

/* The classic path has no model list: the deployment is the one model,
 * and nothing is asked. */
static void
test_models_azure_classic (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(ConfabAccount) account = new_mock_account (env, "azure", CONFAB_TEST_KEY);
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;

  models = fetch_models (account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (models, 0), ==, "echo");
  g_assert_cmpuint (n_recorded (env), ==, 0);

  /* Without a deployment there is nothing to name. */
  g_clear_pointer (&models, g_ptr_array_unref);
  confab_account_set_deployment (account, NULL);
  models = fetch_models (account, &error);
  g_assert_null (models);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST);
}

/* The mock checks the key in each protocol's own header. */
static void
test_models_wrong_key (void)
{
  static const char * const names[] = { "anthropic", "gemini", "azure-v1", "openai" };
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(ConfabAccount) account = new_mock_account (env, names[i], "sk-wrong-0000");
      g_autoptr(GPtrArray) models = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("wrong key: %s", names[i]);
      models = fetch_models (account, &error);
      g_assert_null (models);
      g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_AUTH);
      g_assert_null (strstr (error->message, "sk-wrong-0000"));
    }
}

typedef struct
{
  GString   *text;
  GString   *reasoning;
  GArray    *retry_delays;
  gboolean   done;
  GError    *error;
} RunResult;

static void
on_text (ConfabChatStream *stream,
         const char       *text,
         RunResult        *r)
{
  g_string_append (r->text, text);
}

static void
on_reasoning (ConfabChatStream *stream,
              const char       *text,
              RunResult        *r)
{
  g_string_append (r->reasoning, text);
}

static void
on_retrying (ConfabChatStream *stream,
             guint             attempt,
             guint             delay_ms,
             const GError     *error,
             RunResult        *r)
{
  g_array_append_val (r->retry_delays, delay_ms);
}

static void
on_run (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  RunResult *r = user_data;

  confab_chat_stream_run_finish (CONFAB_CHAT_STREAM (source), result, &r->error);
  r->done = TRUE;
}

static void
run_result_clear (RunResult *r)
{
  g_string_free (r->text, TRUE);
  g_string_free (r->reasoning, TRUE);
  g_array_unref (r->retry_delays);
  g_clear_error (&r->error);
}

/* Runs one exchange with @model; the stream is returned for its results. */
static ConfabChatStream *
run_exchange (ConfabAccount *account,
              const char    *model,
              const char    *prompt,
              guint          max_retries,
              RunResult     *r)
{
  g_autoptr(ConfabProvider) provider = confab_provider_new_for_account (account, NULL);
  g_autoptr(ConfabChatRequest) request = confab_chat_request_new (model);
  ConfabChatStream *stream;

  confab_chat_request_set_system_prompt (request, "Repeat after me.");
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, "First question");
  confab_chat_request_add_message (request, CONFAB_ROLE_ASSISTANT, "First answer");
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, prompt);

  *r = (RunResult) { g_string_new (NULL), g_string_new (NULL),
                     g_array_new (FALSE, FALSE, sizeof (guint)), FALSE, NULL };
  stream = confab_chat_stream_new (account, provider, request);
  confab_chat_stream_set_max_retries (stream, max_retries);
  confab_chat_stream_set_timeouts (stream, 10000, 10000, 10000);
  g_signal_connect (stream, "text", G_CALLBACK (on_text), r);
  g_signal_connect (stream, "reasoning", G_CALLBACK (on_reasoning), r);
  g_signal_connect (stream, "retrying", G_CALLBACK (on_retrying), r);
  confab_chat_stream_run_async (stream, NULL, on_run, r);
  confab_test_wait_for (&r->done);
  return stream;
}

typedef struct
{
  const char *account;
  const char *finish_reason;
  const char *path;
} ExchangeCase;

static const ExchangeCase exchange_cases[] = {
  { "anthropic", "stop", "/v1/messages" },
  { "gemini", "stop", "/v1beta/models/echo:streamGenerateContent" },
  { "ollama", "stop", "/api/chat" },
  { "azure", "stop", "/openai/deployments/echo/chat/completions" },
  { "azure-v1", "stop", "/openai/v1/chat/completions" },
  { "openai", "stop", "/v1/chat/completions" },
};

static void
test_exchange (gconstpointer data)
{
  const ExchangeCase *ec = data;
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  const char *key = g_str_equal (ec->account, "ollama") ? NULL : CONFAB_TEST_KEY;
  g_autoptr(ConfabAccount) account = new_mock_account (env, ec->account, key);
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  static const char prompt[] = "北京烤鸭 is a dish, 好吃!";
  JsonObject *request;
  RunResult r;

  stream = run_exchange (account, "echo", prompt, 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.text->str, ==, prompt);
  g_assert_cmpstr (confab_chat_stream_get_finish_reason (stream), ==, ec->finish_reason);
  g_assert_cmpint (confab_chat_stream_get_input_tokens (stream), >, 0);
  g_assert_cmpint (confab_chat_stream_get_output_tokens (stream), >, 0);
  g_assert_cmpuint (confab_chat_stream_get_status (stream), ==, 200);

  /* What reached the server, and that the key did not reach the record. */
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 1);
  request = json_node_get_object (g_ptr_array_index (requests, 0));
  g_assert_cmpstr (json_object_get_string_member (request, "path"), ==, ec->path);
  g_assert_false (confab_test_tree_contains (env->record_path, CONFAB_TEST_KEY));
  run_result_clear (&r);
}

typedef struct
{
  const char *account;
  const char *model;
  int         code;
  gboolean    streamed;       /* text arrived before the error */
  const char *message_part;
} FailureCase;

static const FailureCase failure_cases[] = {
  { "anthropic", "error-403-region", CONFAB_ERROR_REGION, FALSE, "not available in this region" },
  { "anthropic", "error-401", CONFAB_ERROR_AUTH, FALSE, "invalid x-api-key" },
  { "anthropic", "error-quota", CONFAB_ERROR_QUOTA, FALSE, "credit balance" },
  { "anthropic", "error-429", CONFAB_ERROR_RATE_LIMIT, FALSE, "rate limit" },
  { "anthropic", "overloaded", CONFAB_ERROR_SERVER, FALSE, "Overloaded" },
  { "anthropic", "inband-error", CONFAB_ERROR_SERVER, TRUE, "Internal server error" },
  { "anthropic", "no-stop", CONFAB_ERROR_NETWORK, TRUE, NULL },
  { "anthropic", "malformed", CONFAB_ERROR_PROTOCOL, TRUE, NULL },
  { "gemini", "error-403-region", CONFAB_ERROR_REGION, FALSE, "User location is not supported" },
  { "gemini", "error-401", CONFAB_ERROR_AUTH, FALSE, "API key not valid" },
  { "gemini", "error-quota", CONFAB_ERROR_QUOTA, FALSE, "current quota" },
  { "gemini", "error-429", CONFAB_ERROR_RATE_LIMIT, FALSE, "current quota" },
  { "gemini", "error-500", CONFAB_ERROR_SERVER, FALSE, "internal error" },
  { "gemini", "inband-error", CONFAB_ERROR_SERVER, TRUE, "internal error" },
  { "gemini", "no-stop", CONFAB_ERROR_NETWORK, TRUE, NULL },
  { "ollama", "error-403-region", CONFAB_ERROR_REGION, FALSE, "not available in your region" },
  { "ollama", "error-quota", CONFAB_ERROR_QUOTA, FALSE, "usage limit" },
  { "ollama", "error-500", CONFAB_ERROR_SERVER, FALSE, "exit status 2" },
  { "ollama", "inband-error", CONFAB_ERROR_SERVER, TRUE, "unexpected EOF" },
  { "ollama", "no-stop", CONFAB_ERROR_NETWORK, TRUE, NULL },
  { "ollama", "nonexistent-model", CONFAB_ERROR_NOT_FOUND, FALSE, "nonexistent-model" },
  { "azure", "content-filter", CONFAB_ERROR_BAD_REQUEST, FALSE, "content filter refused" },
  { "azure", "filtered-output", CONFAB_ERROR_BAD_REQUEST, TRUE, "content filter stopped the reply" },
  { "azure", "error-429", CONFAB_ERROR_RATE_LIMIT, FALSE, "rate limit" },
  { "azure", "error-401", CONFAB_ERROR_AUTH, FALSE, "invalid subscription key" },
  { "azure", "inband-error", CONFAB_ERROR_SERVER, TRUE, NULL },
  { "azure-v1", "filtered-output", CONFAB_ERROR_BAD_REQUEST, TRUE, "content filter stopped the reply" },
};

/* The mock picks the scenario by model, or for Azure's classic path by
 * deployment. */
static void
test_failure (gconstpointer data)
{
  const FailureCase *fc = data;
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  const char *key = g_str_equal (fc->account, "ollama") ? NULL : CONFAB_TEST_KEY;
  g_autoptr(ConfabAccount) account = new_mock_account (env, fc->account, key);
  g_autoptr(ConfabChatStream) stream = NULL;
  RunResult r;

  if (confab_account_get_deployment (account) != NULL)
    confab_account_set_deployment (account, fc->model);
  stream = run_exchange (account, fc->model, "Tell me a story", 0, &r);
  g_assert_error (r.error, CONFAB_ERROR, fc->code);
  if (fc->message_part != NULL)
    g_assert_nonnull (strstr (r.error->message, fc->message_part));
  g_assert_null (strstr (r.error->message, CONFAB_TEST_KEY));
  g_assert_cmpint (confab_chat_stream_get_has_streamed (stream), ==, fc->streamed);
  g_assert_cmpint (r.text->len > 0, ==, fc->streamed);
  run_result_clear (&r);
}

/* An error inside a 200 stream comes after body bytes, even with no text
 * yet (Anthropic's overloaded_error after message_start): never retried,
 * since the provider may already have done, and billed, the work. */
static void
test_no_retry_after_body (void)
{
  static const char * const names[] = { "anthropic", "openai" };
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(ConfabAccount) account = new_mock_account (env, names[i], CONFAB_TEST_KEY);
      g_autoptr(ConfabChatStream) stream = NULL;
      g_autoptr(GPtrArray) before = confab_test_env_read_requests (env);
      g_autoptr(GPtrArray) after = NULL;
      const char *model = g_str_equal (names[i], "anthropic") ? "overloaded" : "inband-error";
      RunResult r;

      g_test_message ("in-band error: %s", names[i]);
      stream = run_exchange (account, model, "hello", 2, &r);
      g_assert_error (r.error, CONFAB_ERROR, CONFAB_ERROR_SERVER);
      g_assert_cmpuint (r.retry_delays->len, ==, 0);
      after = confab_test_env_read_requests (env);
      g_assert_cmpuint (after->len, ==, before->len + 1);
      run_result_clear (&r);
    }
}

/* A wrong key is refused by every protocol's own check. */
static void
test_exchange_wrong_key (void)
{
  static const char * const names[] = { "anthropic", "gemini", "azure", "azure-v1", "openai" };
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(ConfabAccount) account = new_mock_account (env, names[i], "sk-wrong-0000");
      g_autoptr(ConfabChatStream) stream = NULL;
      RunResult r;

      g_test_message ("wrong key: %s", names[i]);
      stream = run_exchange (account, "echo", "hello", 0, &r);
      g_assert_error (r.error, CONFAB_ERROR, CONFAB_ERROR_AUTH);
      g_assert_null (strstr (r.error->message, "sk-wrong-0000"));
      run_result_clear (&r);
    }
}

/* Gemini has no retry headers: the wait comes from RetryInfo in the body
 * ("0.100s" in the mock's flaky scenario). */
static void
test_exchange_gemini_retry_info (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(ConfabAccount) account = new_mock_account (env, "gemini", CONFAB_TEST_KEY);
  g_autoptr(ConfabChatStream) stream = NULL;
  RunResult r;

  stream = run_exchange (account, "flaky", "try twice", 2, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.text->str, ==, "try twice");
  g_assert_cmpuint (r.retry_delays->len, ==, 1);
  g_assert_cmpuint (g_array_index (r.retry_delays, guint, 0), ==, 100);
  run_result_clear (&r);
}

/* Ollama shows thinking by default, as reasoning. */
static void
test_exchange_ollama_reasoning (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(ConfabAccount) account = new_mock_account (env, "ollama", NULL);
  g_autoptr(ConfabChatStream) stream = NULL;
  RunResult r;

  stream = run_exchange (account, "reasoning", "why", 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.text->str, ==, "why");
  g_assert_true (g_str_has_prefix (r.reasoning->str, "Thinking about it"));
  run_result_clear (&r);
}

/* ------------------------------------------------------------------ */
/* Through confab-cli                                                 */
/* ------------------------------------------------------------------ */

typedef struct
{
  const char *account;
  const char *args[10];       /* for "accounts add", after the base URL */
  const char *finish_reason;
  const char *model;          /* one "models" must list */
} CliCase;

static const CliCase cli_cases[] = {
  { "anthropic", { "--provider", "anthropic", "--model", "echo", NULL }, "stop", "echo" },
  { "gemini", { "--provider", "gemini", "--model", "echo", NULL }, "stop", "echo" },
  { "ollama", { "--provider", "ollama", "--model", "echo", NULL }, "stop", "echo:latest" },
  { "azure", { "--provider", "azure", "--deployment", "echo", "--api-version", "2024-10-21",
               "--model", "echo", NULL }, "stop", "echo" },
  { "azure-v1", { "--provider", "azure", "--deployment", "echo", "--api-version", "v1",
                  "--model", "echo", NULL }, "stop", "content-filter" },
  /* The v1 path needs no deployment: the model names it. */
  { "azure-v1-model", { "--provider", "azure", "--api-version", "v1", "--model", "echo", NULL },
    "stop", "content-filter" },
};

/* confab-cli's --events output, one JSON object per line. */
static GPtrArray *
parse_event_lines (const char *text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (events, parse_json (lines[i], -1));
  return events;
}

static void
cli_add_account (ConfabTestEnv *env,
                 const CliCase *cc)
{
  const MockAccount *ma = lookup_mock_account (cc->account);
  g_autofree char *base = g_strconcat (env->mock_url, ma->base_suffix, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gboolean keyless = g_str_equal (cc->account, "ollama");
  int status;

  g_ptr_array_add (argv, (char *)"accounts");
  g_ptr_array_add (argv, (char *)"add");
  g_ptr_array_add (argv, (char *)cc->account);
  g_ptr_array_add (argv, (char *)"--base-url");
  g_ptr_array_add (argv, base);
  for (guint i = 0; cc->args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)cc->args[i]);
  if (!keyless)
    g_ptr_array_add (argv, (char *)"--key-stdin");
  g_ptr_array_add (argv, NULL);

  out = confab_test_env_run_cliv (env, keyless ? NULL : CONFAB_TEST_KEY "\n",
                                  (const char * const *)argv->pdata, &status, &err);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
}

/* accounts add, chat --events and models, as a user would run them. */
static void
test_cli (gconstpointer data)
{
  const CliCase *cc = data;
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *models = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *wanted = NULL;
  JsonObject *last;
  int status;

  cli_add_account (env, cc);
  out = confab_test_env_run_cli (env, NULL, &status, &err, "chat", "--account", cc->account,
                                 "--events", "--system", "Be brief", "--temperature", "0.4",
                                 "--max-tokens", "64", "上海 and 北京", NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);

  events = parse_event_lines (out);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = json_node_get_object (g_ptr_array_index (events, i));

      if (g_str_equal (json_object_get_string_member (event, "type"), "text"))
        g_string_append (text, json_object_get_string_member (event, "text"));
    }
  g_assert_cmpstr (text->str, ==, "上海 and 北京");
  last = json_node_get_object (g_ptr_array_index (events, events->len - 1));
  g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (last, "finish_reason"), ==, cc->finish_reason);

  g_clear_pointer (&err, g_free);
  models = confab_test_env_run_cli (env, NULL, &status, &err, "models", cc->account, NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  listing = g_strconcat ("\n", models, NULL);
  wanted = g_strdup_printf ("\n%s\n", cc->model);
  g_assert_nonnull (strstr (listing, wanted));

  g_assert_false (confab_test_tree_contains (g_get_user_config_dir (), CONFAB_TEST_KEY));
  g_assert_false (confab_test_tree_contains (env->record_path, CONFAB_TEST_KEY));
}

/* The "model" of the mock's request number @seen (from 0), which must be
 * the last it recorded. */
static char *
dup_recorded_model (ConfabTestEnv *env,
                    guint          seen)
{
  g_autoptr(GPtrArray) requests = confab_test_env_read_requests (env);
  JsonObject *request;

  g_assert_cmpuint (requests->len, ==, seen + 1);
  request = json_node_get_object (g_ptr_array_index (requests, seen));
  g_assert_cmpstr (json_object_get_string_member (request, "path"), ==,
                   "/openai/v1/chat/completions");
  return g_strdup (json_object_get_string_member (json_object_get_object_member (request, "body"),
                                                  "model"));
}

/* On Azure's v1 path chat --model picks the deployment, over the account's;
 * without it the account's deployment is used, not the preset's first
 * model. The mock answers by the model, so each reply shows which it got. */
static void
test_cli_azure_v1_model (void)
{
  static const CliCase cc = {
    "azure-v1-model", { "--provider", "azure", "--api-version", "v1", "--deployment", "reasoning",
                        NULL }, "stop", NULL
  };
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *model = NULL;
  int status;

  cli_add_account (env, &cc);
  out = confab_test_env_run_cli (env, NULL, &status, &err, "chat", "--account", cc.account,
                                 "--model", "echo", "--events", "hello 你好", NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, "\"reasoning\""));
  model = dup_recorded_model (env, 0);
  g_assert_cmpstr (model, ==, "echo");

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&model, g_free);
  out = confab_test_env_run_cli (env, NULL, &status, &err, "chat", "--account", cc.account,
                                 "--events", "hello 你好", NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"reasoning\""));
  model = dup_recorded_model (env, 1);
  g_assert_cmpstr (model, ==, "reasoning");
}

/* ------------------------------------------------------------------ */

static void
test_presets (void)
{
  static const struct
  {
    const char *id;
    const char *name;
    const char *name_zh;
    ConfabProtocol protocol;
    gboolean needs_key;
    const char *base_url;
  } presets[] = {
    { "azure", "Azure OpenAI", "Azure OpenAI 服务", CONFAB_PROTOCOL_AZURE, TRUE, NULL },
    { "anthropic", "Anthropic Claude", "Anthropic Claude", CONFAB_PROTOCOL_ANTHROPIC, TRUE,
      "https://api.anthropic.com" },
    { "gemini", "Google Gemini", "谷歌 Gemini", CONFAB_PROTOCOL_GEMINI, TRUE,
      "https://generativelanguage.googleapis.com/v1beta" },
    { "ollama", "Ollama (local)", "Ollama（本地）", CONFAB_PROTOCOL_OLLAMA, FALSE,
      "http://127.0.0.1:11434" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      const ConfabProviderInfo *info = confab_provider_info_lookup (presets[i].id);
      g_autoptr(ConfabProvider) provider = NULL;

      g_assert_nonnull (info);
      g_assert_cmpstr (info->name, ==, presets[i].name);
      g_assert_cmpstr (info->name_zh, ==, presets[i].name_zh);
      g_assert_cmpint (info->protocol, ==, presets[i].protocol);
      g_assert_cmpint (info->needs_key, ==, presets[i].needs_key);
      g_assert_nonnull (info->models[0]);
      if (presets[i].base_url != NULL)
        g_assert_cmpstr (info->regions[0].base_url, ==, presets[i].base_url);
      provider = confab_provider_new (info);
      g_assert_true (confab_provider_get_info (provider) == info);
    }
}

/* A preset added later must come with its request case here. */
static void
test_every_preset_has_request_case (void)
{
  const ConfabProviderInfo * const *infos = confab_provider_info_list (NULL);

  for (guint i = 0; infos[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (request_cases) && !found; j++)
        found = g_str_equal (request_cases[j].provider, infos[i]->id);
      g_test_message ("preset %s", infos[i]->id);
      g_assert_true (found);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/providers/presets", test_presets);
  g_test_add_func ("/providers/presets/all-tested", test_every_preset_has_request_case);

  for (guint i = 0; i < G_N_ELEMENTS (request_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/providers/request/%s/%u", request_cases[i].provider, i);
      g_test_add_data_func (path, &request_cases[i], test_request);
    }
  g_test_add_func ("/providers/request/ollama/keyless", test_request_ollama_keyless);
  g_test_add_func ("/providers/request/anthropic/alternation", test_request_anthropic_shape);
  g_test_add_func ("/providers/request/gemini/alternation", test_request_gemini_shape);
  g_test_add_func ("/providers/request/azure/incomplete", test_request_azure_incomplete);
  g_test_add_func ("/providers/request/azure/v1", test_request_azure_v1);

  for (guint i = 0; i < G_N_ELEMENTS (stream_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/providers/stream/%s", stream_cases[i].fixture);
      g_test_add_data_func (path, &stream_cases[i], test_stream);
    }

  g_test_add_func ("/providers/error/bodies", test_error_bodies);
  g_test_add_func ("/providers/error/explanations", test_error_explanations);
  g_test_add_func ("/providers/error/in-band-types", test_in_band_error_types);

  g_test_add_func ("/providers/models/anthropic-paging", test_models_anthropic);
  g_test_add_func ("/providers/models/gemini-paging", test_models_gemini);
  g_test_add_func ("/providers/models/simple", test_models_simple);
  g_test_add_func ("/providers/models/azure-classic", test_models_azure_classic);
  g_test_add_func ("/providers/models/wrong-key", test_models_wrong_key);

  for (guint i = 0; i < G_N_ELEMENTS (exchange_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/providers/exchange/%s", exchange_cases[i].account);
      g_test_add_data_func (path, &exchange_cases[i], test_exchange);
    }
  for (guint i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/providers/failure/%s/%s", failure_cases[i].account,
                                               failure_cases[i].model);
      g_test_add_data_func (path, &failure_cases[i], test_failure);
    }
  g_test_add_func ("/providers/exchange/wrong-key", test_exchange_wrong_key);
  g_test_add_func ("/providers/exchange/no-retry-after-body", test_no_retry_after_body);
  g_test_add_func ("/providers/exchange/gemini-retry-info", test_exchange_gemini_retry_info);
  g_test_add_func ("/providers/exchange/ollama-reasoning", test_exchange_ollama_reasoning);

  for (guint i = 0; i < G_N_ELEMENTS (cli_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/providers/cli/%s", cli_cases[i].account);
      g_test_add_data_func (path, &cli_cases[i], test_cli);
    }
  g_test_add_func ("/providers/cli/azure-v1-model-override", test_cli_azure_v1_model);

  capture_setup ();
  status = g_test_run ();
  capture_teardown ();
  return status;
}
