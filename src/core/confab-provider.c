/* confab-provider.c
 *
 * The base class holds what every protocol shares: the preset it speaks
 * for, error-body mapping for every shape in providers.md §0.7, and small
 * JSON and request helpers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-anthropic-provider.h"
#include "confab-azure-provider.h"
#include "confab-gemini-provider.h"
#include "confab-ollama-provider.h"
#include "confab-openai-provider.h"
#include "confab-provider.h"
#include "confab-util.h"

typedef struct
{
  const ConfabProviderInfo *info;
} ConfabProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ConfabProvider, confab_provider, G_TYPE_OBJECT)

/* What an error body says, whatever its shape. */
typedef struct
{
  const char *message;
  const char *type;
  char       *code;
  const char *status;      /* Gemini's canonical status, e.g. FAILED_PRECONDITION */
  const char *reason;      /* Gemini ErrorInfo reason, e.g. API_KEY_INVALID */
  gint64      retry_delay_ms;
  gboolean    daily_quota; /* Gemini QuotaFailure on a per-day quota */
} ErrorFacts;

static GError *
confab_provider_real_parse_error (ConfabProvider *self,
                                  guint           status,
                                  GBytes         *body,
                                  gint64         *retry_after_ms)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);
  g_autoptr(JsonNode) root = confab_provider_parse_json_body (body);

  return confab_provider_error_from_json (priv->info, status, root, retry_after_ms);
}

static void
confab_provider_class_init (ConfabProviderClass *klass)
{
  klass->parse_error = confab_provider_real_parse_error;
}

static void
confab_provider_init (ConfabProvider *self)
{
}

ConfabProvider *
confab_provider_new (const ConfabProviderInfo *info)
{
  ConfabProvider *self;
  ConfabProviderPrivate *priv;
  GType type;

  g_return_val_if_fail (info != NULL, NULL);

  switch (info->protocol)
    {
    case CONFAB_PROTOCOL_OPENAI:
      type = CONFAB_TYPE_OPENAI_PROVIDER;
      break;
    case CONFAB_PROTOCOL_AZURE:
      type = CONFAB_TYPE_AZURE_PROVIDER;
      break;
    case CONFAB_PROTOCOL_ANTHROPIC:
      type = CONFAB_TYPE_ANTHROPIC_PROVIDER;
      break;
    case CONFAB_PROTOCOL_GEMINI:
      type = CONFAB_TYPE_GEMINI_PROVIDER;
      break;
    case CONFAB_PROTOCOL_OLLAMA:
      type = CONFAB_TYPE_OLLAMA_PROVIDER;
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  self = g_object_new (type, NULL);
  priv = confab_provider_get_instance_private (self);
  priv->info = info;
  return self;
}

ConfabProvider *
confab_provider_new_for_account (ConfabAccount  *account,
                                 GError        **error)
{
  const ConfabProviderInfo *info;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);

  info = confab_account_get_provider_info (account);
  if (info == NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                   _("The account “%s” uses the unknown provider “%s”"),
                   confab_account_get_name (account),
                   confab_account_get_provider_id (account));
      return NULL;
    }
  return confab_provider_new (info);
}

const ConfabProviderInfo *
confab_provider_get_info (ConfabProvider *self)
{
  ConfabProviderPrivate *priv = confab_provider_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return priv->info;
}

SoupMessage *
confab_provider_create_chat_message (ConfabProvider     *self,
                                     ConfabAccount      *account,
                                     const char         *api_key,
                                     ConfabChatRequest  *request,
                                     GError            **error)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (request), NULL);

  return CONFAB_PROVIDER_GET_CLASS (self)->create_chat_message (self, account, api_key,
                                                                request, error);
}

ConfabStreamParser *
confab_provider_create_stream_parser (ConfabProvider *self)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return CONFAB_PROVIDER_GET_CLASS (self)->create_stream_parser (self);
}

GError *
confab_provider_parse_error (ConfabProvider *self,
                             guint           status,
                             GBytes         *body,
                             gint64         *retry_after_ms)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return CONFAB_PROVIDER_GET_CLASS (self)->parse_error (self, status, body, retry_after_ms);
}

SoupMessage *
confab_provider_create_models_message (ConfabProvider  *self,
                                       ConfabAccount   *account,
                                       const char      *api_key,
                                       const char      *page_token,
                                       GError         **error)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), NULL);
  return CONFAB_PROVIDER_GET_CLASS (self)->create_models_message (self, account, api_key,
                                                                  page_token, error);
}

gboolean
confab_provider_parse_models (ConfabProvider  *self,
                              GBytes          *body,
                              GPtrArray       *models,
                              char           **next_page_token,
                              GError         **error)
{
  g_return_val_if_fail (CONFAB_IS_PROVIDER (self), FALSE);
  return CONFAB_PROVIDER_GET_CLASS (self)->parse_models (self, body, models,
                                                         next_page_token, error);
}

/* JSON helpers that never warn on a wrong type: provider bodies are
 * untrusted, so a member of the wrong type is simply absent. */
const char *
confab_json_get_string (JsonObject *object,
                        const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
confab_json_get_object (JsonObject *object,
                        const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
confab_json_get_array (JsonObject *object,
                       const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gint64
confab_json_get_int (JsonObject *object,
                     const char *member,
                     gint64      default_value)
{
  JsonNode *node;
  GType type;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return default_value;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* Converting a double out of range is undefined (found by
       * fuzzing: "code":1e28). */
      if (!(value >= (double)G_MININT64 && value < (double)G_MAXINT64))
        return default_value;
      return (gint64)value;
    }
  return default_value;
}

/* Some providers frame an error body as SSE even on a 4xx (DashScope), so
 * try the body as JSON, then with a leading "data:" stripped. */
JsonNode *
confab_provider_parse_json_body (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  const char *data;
  gsize len;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &len);
  if (data == NULL || len == 0)
    return NULL;

  while (len > 0 && g_ascii_isspace (*data))
    data++, len--;
  if (len >= 5 && strncmp (data, "data:", 5) == 0)
    data += 5, len -= 5;

  if (!confab_json_parser_load (parser, data, len, NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

/* A 429 for a per-day quota will not clear within any wait worth making. */
static gboolean
has_daily_violation (JsonArray *violations)
{
  for (guint i = 0; violations != NULL && i < json_array_get_length (violations); i++)
    {
      JsonNode *node = json_array_get_element (violations, i);
      const char *quota_id = JSON_NODE_HOLDS_OBJECT (node)
                             ? confab_json_get_string (json_node_get_object (node), "quotaId")
                             : NULL;

      if (quota_id != NULL && strstr (quota_id, "PerDay") != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
read_gemini_details (JsonArray  *details,
                     ErrorFacts *facts)
{
  for (guint i = 0; details != NULL && i < json_array_get_length (details); i++)
    {
      JsonNode *node = json_array_get_element (details, i);
      JsonObject *detail;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      detail = json_node_get_object (node);
      type = confab_json_get_string (detail, "@type");
      if (type == NULL)
        continue;
      if (g_str_has_suffix (type, "google.rpc.ErrorInfo") && facts->reason == NULL)
        facts->reason = confab_json_get_string (detail, "reason");
      if (g_str_has_suffix (type, "google.rpc.QuotaFailure"))
        facts->daily_quota |= has_daily_violation (confab_json_get_array (detail, "violations"));
      if (g_str_has_suffix (type, "google.rpc.RetryInfo"))
        {
          const char *delay = confab_json_get_string (detail, "retryDelay");
          double seconds = delay != NULL ? g_ascii_strtod (delay, NULL) : -1;

          /* "1e300s" must not overflow the conversion (found by fuzzing);
           * a day is as good as forever for a retry. */
          if (seconds >= 0)
            facts->retry_delay_ms = (gint64)(MIN (seconds, 86400.0) * 1000);
        }
    }
}

static char *
code_to_string (JsonObject *object)
{
  JsonNode *node = object ? json_object_get_member (object, "code") : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return NULL;
}

/* OpenAI {"error":{message,type,code}}, Anthropic {"type":"error","error":
 * {type,message}}, Gemini {"error":{code,message,status,details}}, Ollama
 * {"error":"text"}, SiliconFlow and Spark {"code","message"}, Baidu v1
 * {"error_code","error_msg"}, gateways {"message"}. */
static void
read_error_facts (JsonNode   *root,
                  ErrorFacts *facts)
{
  JsonObject *object;
  JsonObject *error;
  JsonNode *error_node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  error_node = json_object_get_member (object, "error");

  if (error_node != NULL && JSON_NODE_HOLDS_VALUE (error_node) &&
      json_node_get_value_type (error_node) == G_TYPE_STRING)
    {
      facts->message = json_node_get_string (error_node);
      return;
    }

  error = confab_json_get_object (object, "error");
  if (error != NULL)
    {
      facts->message = confab_json_get_string (error, "message");
      facts->type = confab_json_get_string (error, "type");
      facts->code = code_to_string (error);
      facts->status = confab_json_get_string (error, "status");
      read_gemini_details (confab_json_get_array (error, "details"), facts);
      return;
    }

  facts->message = confab_json_get_string (object, "message");
  if (facts->message == NULL)
    facts->message = confab_json_get_string (object, "error_msg");
  facts->code = code_to_string (object);
  if (facts->code == NULL && json_object_has_member (object, "error_code"))
    facts->code = g_strdup_printf ("%" G_GINT64_FORMAT,
                                   confab_json_get_int (object, "error_code", 0));
}

static gboolean
str_in (const char         *str,
        const char * const *list)
{
  return str != NULL && g_strv_contains (list, str);
}

static gboolean
is_quota (const ConfabProviderInfo *info,
          guint                     status,
          const ErrorFacts         *facts)
{
  static const char * const quota_codes[] = {
    "insufficient_quota", "Arrearage", "account_overdue", "AccountOverdueError",
    "exceeded_current_quota_error", "QuotaExceeded", "billing_error", NULL
  };
  /* Zhipu: 1113 arrears, 1304 daily quota, 1308/1310 plan caps. */
  static const char * const zhipu_quota_codes[] = { "1113", "1304", "1308", "1310", NULL };

  if (status == 402 || facts->daily_quota)
    return TRUE;
  if (str_in (facts->code, quota_codes) || str_in (facts->type, quota_codes))
    return TRUE;
  if (info != NULL && (info->quirks & CONFAB_QUIRK_ZHIPU_CODES) &&
      str_in (facts->code, zhipu_quota_codes))
    return TRUE;
  /* Anthropic says this with a 400 invalid_request_error; Ollama's cloud
   * with a 429. */
  return facts->message != NULL &&
         (strstr (facts->message, "Insufficient Balance") != NULL ||
          strstr (facts->message, "insufficient balance") != NULL ||
          strstr (facts->message, "credit balance is too low") != NULL ||
          strstr (facts->message, "reached your usage limit") != NULL);
}

static gboolean
is_region (guint             status,
           const ErrorFacts *facts)
{
  if (g_strcmp0 (facts->code, "unsupported_country_region_territory") == 0)
    return TRUE;
  /* Anthropic's edge refuses unsupported countries with a bare "forbidden"
   * (its own refusals are permission_error); others say so in words. */
  if (status == 403 &&
      ((g_strcmp0 (facts->type, "forbidden") == 0 &&
        g_strcmp0 (facts->message, "Request not allowed") == 0) ||
       (facts->message != NULL && strstr (facts->message, "in your region") != NULL)))
    return TRUE;
  return g_strcmp0 (facts->status, "FAILED_PRECONDITION") == 0 &&
         facts->message != NULL && strstr (facts->message, "location") != NULL;
}

static ConfabErrorCode
code_for_in_band_type (const char *type)
{
  if (type == NULL)
    return CONFAB_ERROR_SERVER;
  if (strstr (type, "rate_limit") != NULL)
    return CONFAB_ERROR_RATE_LIMIT;
  if (strstr (type, "authentication") != NULL || strstr (type, "permission") != NULL)
    return CONFAB_ERROR_AUTH;
  if (strstr (type, "not_found") != NULL)
    return CONFAB_ERROR_NOT_FOUND;
  if (strstr (type, "invalid_request") != NULL)
    return CONFAB_ERROR_BAD_REQUEST;
  return CONFAB_ERROR_SERVER;
}

static ConfabErrorCode
classify (const ConfabProviderInfo *info,
          guint                     status,
          const ErrorFacts         *facts)
{
  if (is_region (status, facts))
    return CONFAB_ERROR_REGION;
  if (g_strcmp0 (facts->reason, "API_KEY_INVALID") == 0)
    return CONFAB_ERROR_AUTH;
  if (is_quota (info, status, facts))
    return CONFAB_ERROR_QUOTA;

  switch (status)
    {
    case 0: return code_for_in_band_type (facts->type);
    case 401: case 403: return CONFAB_ERROR_AUTH;
    case 404: return CONFAB_ERROR_NOT_FOUND;
    case 408: return CONFAB_ERROR_TIMEOUT;
    case 409: return CONFAB_ERROR_SERVER;
    case 429: return CONFAB_ERROR_RATE_LIMIT;
    default:
      return status >= 500 ? CONFAB_ERROR_SERVER : CONFAB_ERROR_BAD_REQUEST;
    }
}

/* @root may be NULL (an empty or non-JSON body). A zero @status means an
 * error that arrived inside a 200 stream. */
GError *
confab_provider_error_from_json (const ConfabProviderInfo *info,
                                 guint                     status,
                                 JsonNode                 *root,
                                 gint64                   *retry_after_ms)
{
  ErrorFacts facts = { NULL, NULL, NULL, NULL, NULL, -1 };
  ConfabErrorCode code;
  GError *error;

  read_error_facts (root, &facts);
  code = classify (info, status, &facts);
  error = confab_provider_error_new (info, code, status, facts.message);

  if (retry_after_ms != NULL && facts.retry_delay_ms >= 0)
    *retry_after_ms = facts.retry_delay_ms;

  g_free (facts.code);
  return error;
}

static const char *
status_phrase (guint status)
{
  const char *phrase = soup_status_get_phrase (status);

  if (phrase == NULL || g_str_equal (phrase, "Unknown Error"))
    return "";
  return phrase;
}

/* The user-facing message: what it means, then the provider's own words. */
GError *
confab_provider_error_new (const ConfabProviderInfo *info,
                           ConfabErrorCode           code,
                           guint                     status,
                           const char               *provider_message)
{
  const char *name = info ? confab_provider_info_get_display_name (info) : _("The provider");
  g_autofree char *detail = NULL;
  g_autofree char *summary = NULL;

  if (provider_message != NULL && *provider_message != '\0')
    detail = status ? g_strdup_printf ("HTTP %u: %s", status, provider_message)
                    : g_strdup (provider_message);
  else if (status != 0)
    detail = g_strchomp (g_strdup_printf ("HTTP %u %s", status, status_phrase (status)));
  else
    detail = g_strdup (_("no details given"));

  switch (code)
    {
    case CONFAB_ERROR_REGION:
      summary = g_strdup_printf (_("%s is not available in this region (%s). Another account — "
                                   "for example Azure OpenAI or a domestic provider — can "
                                   "continue this conversation."), name, detail);
      break;
    case CONFAB_ERROR_AUTH:
      summary = g_strdup_printf (_("%s rejected the API key (%s)"), name, detail);
      break;
    case CONFAB_ERROR_QUOTA:
      summary = g_strdup_printf (_("The %s account is out of credit or quota (%s)"), name, detail);
      break;
    case CONFAB_ERROR_RATE_LIMIT:
      summary = g_strdup_printf (_("%s is limiting the request rate (%s)"), name, detail);
      break;
    case CONFAB_ERROR_NOT_FOUND:
      summary = g_strdup_printf (_("%s could not find the model or address (%s)"), name, detail);
      break;
    case CONFAB_ERROR_BAD_REQUEST:
      summary = g_strdup_printf (_("%s refused the request (%s)"), name, detail);
      break;
    case CONFAB_ERROR_TIMEOUT:
      summary = g_strdup_printf (_("%s timed out (%s)"), name, detail);
      break;
    case CONFAB_ERROR_SERVER:
    default:
      summary = g_strdup_printf (_("%s had a server error (%s)"), name, detail);
      break;
    }

  return g_error_new_literal (CONFAB_ERROR, code, summary);
}

static gboolean
add_account_headers (SoupMessage    *message,
                     ConfabAccount  *account,
                     GError        **error)
{
  const char * const *headers = confab_account_get_headers (account);
  SoupMessageHeaders *request_headers = soup_message_get_request_headers (message);

  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;
      const char *colon;

      if (!confab_account_validate_header (headers[i], error))
        return FALSE;
      colon = strchr (headers[i], ':');
      name = g_strndup (headers[i], colon - headers[i]);
      value = g_strstrip (g_strdup (colon + 1));
      soup_message_headers_replace (request_headers, name, value);
    }
  return TRUE;
}

static SoupMessage *
new_message (const char     *method,
             const char     *url,
             ConfabAccount  *account,
             GError        **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                   _("“%s” is not a valid http or https address"), url);
      return NULL;
    }

  message = soup_message_new_from_uri (method, uri);
  /* A redirect could carry the key to another host: never follow one. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  if (!add_account_headers (message, account, error))
    return NULL;

  return g_steal_pointer (&message);
}

SoupMessage *
confab_provider_new_json_post (const char     *url,
                               ConfabAccount  *account,
                               JsonBuilder    *body,
                               GError        **error)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *data;
  gsize len;

  message = new_message (SOUP_METHOD_POST, url, account, error);
  if (message == NULL)
    return NULL;

  generator = json_generator_new ();
  root = json_builder_get_root (body);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);
  bytes = g_bytes_new_take (data, len);

  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  return g_steal_pointer (&message);
}

SoupMessage *
confab_provider_new_get (const char     *url,
                         ConfabAccount  *account,
                         GError        **error)
{
  return new_message (SOUP_METHOD_GET, url, account, error);
}
