/* confab-azure-provider.c
 *
 * Azure OpenAI speaks OpenAI's chat completions with its own addressing
 * (providers.md §2): the classic path puts the deployment in the URL and
 * needs an api-version; the v1 API (api-version "v1") has one URL and the
 * deployment goes in "model". The key travels in an api-key header. Its
 * content filter refuses prompts with HTTP 400 and cuts replies with
 * finish_reason "content_filter"; both are explained in plain words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-azure-provider.h"
#include "confab-azure-stream-parser.h"
#include "confab-util.h"

struct _ConfabAzureProvider
{
  ConfabOpenaiProvider  parent_instance;

  /* The classic path's one model, from the last models request built. */
  char                 *deployment;
};

G_DEFINE_FINAL_TYPE (ConfabAzureProvider, confab_azure_provider, CONFAB_TYPE_OPENAI_PROVIDER)

static const char *
get_api_version (ConfabAccount *account)
{
  const char *version = confab_account_get_api_version (account);

  return confab_str_is_blank (version) ? CONFAB_AZURE_DEFAULT_API_VERSION : version;
}

static gboolean
uses_v1_api (ConfabAccount *account)
{
  return g_str_equal (get_api_version (account), "v1");
}

static void
strip_suffix (char       *str,
              const char *suffix)
{
  if (g_str_has_suffix (str, suffix))
    str[strlen (str) - strlen (suffix)] = '\0';
}

/* The resource endpoint, https://NAME.openai.azure.com. The portal also
 * shows it with /openai or /openai/v1 after it, and people paste that. */
static char *
dup_endpoint (ConfabAccount  *account,
              GError        **error)
{
  const char *base = confab_account_get_base_url (account);
  char *endpoint;

  if (confab_str_is_blank (base))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                   _("The Azure OpenAI account “%s” has no endpoint. Set its base URL to the "
                     "endpoint of your Azure resource, such as https://NAME.openai.azure.com"),
                   confab_account_get_name (account));
      return NULL;
    }

  endpoint = g_strstrip (g_strdup (base));
  while (g_str_has_suffix (endpoint, "/"))
    strip_suffix (endpoint, "/");
  strip_suffix (endpoint, "/openai/v1");
  strip_suffix (endpoint, "/openai");
  return endpoint;
}

static const char *
get_deployment (ConfabAccount  *account,
                GError        **error)
{
  const char *deployment = confab_account_get_deployment (account);

  if (confab_str_is_blank (deployment))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                   _("The Azure OpenAI account “%s” has no deployment. Set it to the name the "
                     "model deployment has in the Azure portal"),
                   confab_account_get_name (account));
      return NULL;
    }
  return deployment;
}

static void
set_api_key (SoupMessage *message,
             const char  *api_key)
{
  if (api_key != NULL && *api_key != '\0')
    soup_message_headers_replace (soup_message_get_request_headers (message), "api-key", api_key);
}

/* The request with @model in place of the caller's, which is not
 * changed. */
static ConfabChatRequest *
copy_request_with_model (ConfabChatRequest *request,
                         const char        *model)
{
  ConfabChatRequest *copy = confab_chat_request_new (model);

  confab_chat_request_set_system_prompt (copy, confab_chat_request_get_system_prompt (request));
  confab_chat_request_set_temperature (copy, confab_chat_request_get_temperature (request));
  confab_chat_request_set_max_tokens (copy, confab_chat_request_get_max_tokens (request));
  for (guint i = 0; i < confab_chat_request_get_n_messages (request); i++)
    confab_chat_request_add_message (copy, confab_chat_request_get_message_role (request, i),
                                     confab_chat_request_get_message_text (request, i));
  return copy;
}

/* When an account names no model, the front ends fall back to the
 * preset's first model before the deployment
 * (confab_account_get_default_model()). On Azure that name is only a guess at what the resource
 * has; a deployment the user gave is not, so it wins over the guess. */
static gboolean
is_preset_guess (ConfabAzureProvider *self,
                 ConfabAccount       *account,
                 const char          *model)
{
  const ConfabProviderInfo *info = confab_provider_get_info (CONFAB_PROVIDER (self));

  return confab_str_is_blank (confab_account_get_model (account)) &&
         !confab_str_is_blank (confab_account_get_deployment (account)) &&
         info->models != NULL && g_strcmp0 (model, info->models[0]) == 0;
}

/* The v1 API's "model" names the deployment to use: the request's model
 * (chat --model, the model picked in the window), else the account's
 * default model, else its deployment. */
static const char *
get_v1_model (ConfabAzureProvider  *self,
              ConfabAccount        *account,
              ConfabChatRequest    *request,
              GError              **error)
{
  const char *model = confab_chat_request_get_model (request);

  if (!confab_str_is_blank (model) && !is_preset_guess (self, account, model))
    return model;
  if (!confab_str_is_blank (confab_account_get_model (account)))
    return confab_account_get_model (account);
  if (!confab_str_is_blank (confab_account_get_deployment (account)))
    return confab_account_get_deployment (account);

  g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
               _("The Azure OpenAI account “%s” names no model and no deployment. Set its "
                 "model to the name the model deployment has in the Azure portal"),
               confab_account_get_name (account));
  return NULL;
}

/* v1: one URL for every deployment, which goes in "model". */
static SoupMessage *
new_v1_message (ConfabAzureProvider  *self,
                ConfabAccount        *account,
                const char           *endpoint,
                ConfabChatRequest    *request,
                GError              **error)
{
  g_autoptr(ConfabChatRequest) copy = NULL;
  g_autoptr(JsonBuilder) body = NULL;
  g_autofree char *url = NULL;
  const char *model;

  if ((model = get_v1_model (self, account, request, error)) == NULL)
    return NULL;

  url = g_strconcat (endpoint, "/openai/v1/chat/completions", NULL);
  copy = copy_request_with_model (request, model);
  body = confab_openai_provider_build_body (CONFAB_OPENAI_PROVIDER (self), copy, TRUE);
  return confab_provider_new_json_post (url, account, body, error);
}

/* The classic path names the deployment in the URL and needs no model. */
static SoupMessage *
new_classic_message (ConfabAzureProvider  *self,
                     ConfabAccount        *account,
                     const char           *endpoint,
                     ConfabChatRequest    *request,
                     GError              **error)
{
  g_autofree char *escaped_deployment = NULL;
  g_autofree char *escaped_version = NULL;
  g_autofree char *url = NULL;
  g_autoptr(JsonBuilder) body = NULL;
  const char *deployment;

  if ((deployment = get_deployment (account, error)) == NULL)
    return NULL;

  escaped_deployment = g_uri_escape_string (deployment, NULL, FALSE);
  escaped_version = g_uri_escape_string (get_api_version (account), NULL, FALSE);
  url = g_strdup_printf ("%s/openai/deployments/%s/chat/completions?api-version=%s",
                         endpoint, escaped_deployment, escaped_version);
  body = confab_openai_provider_build_body (CONFAB_OPENAI_PROVIDER (self), request, FALSE);
  return confab_provider_new_json_post (url, account, body, error);
}

static SoupMessage *
confab_azure_provider_create_chat_message (ConfabProvider     *provider,
                                           ConfabAccount      *account,
                                           const char         *api_key,
                                           ConfabChatRequest  *request,
                                           GError            **error)
{
  ConfabAzureProvider *self = CONFAB_AZURE_PROVIDER (provider);
  g_autofree char *endpoint = NULL;
  SoupMessage *message;

  if ((endpoint = dup_endpoint (account, error)) == NULL)
    return NULL;

  if (uses_v1_api (account))
    message = new_v1_message (self, account, endpoint, request, error);
  else
    message = new_classic_message (self, account, endpoint, request, error);
  if (message == NULL)
    return NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "text/event-stream");
  set_api_key (message, api_key);
  return message;
}

static ConfabStreamParser *
confab_azure_provider_create_stream_parser (ConfabProvider *provider)
{
  return confab_azure_stream_parser_new (confab_provider_get_info (provider));
}

/* Only the v1 API lists models. On the classic path the deployment is the
 * one model there is, so there is nothing to ask: this returns NULL without
 * an error, and parse_models() without a body names the deployment. */
static SoupMessage *
confab_azure_provider_create_models_message (ConfabProvider  *provider,
                                             ConfabAccount   *account,
                                             const char      *api_key,
                                             const char      *page_token,
                                             GError         **error)
{
  ConfabAzureProvider *self = CONFAB_AZURE_PROVIDER (provider);
  g_autofree char *endpoint = NULL;
  g_autofree char *url = NULL;
  const char *deployment;
  SoupMessage *message;

  if ((endpoint = dup_endpoint (account, error)) == NULL)
    return NULL;
  if (!uses_v1_api (account))
    {
      if ((deployment = get_deployment (account, error)) != NULL)
        confab_set_str (&self->deployment, deployment);
      return NULL;
    }

  url = g_strconcat (endpoint, "/openai/v1/models", NULL);
  message = confab_provider_new_get (url, account, error);
  if (message != NULL)
    set_api_key (message, api_key);
  return message;
}

static gboolean
confab_azure_provider_parse_models (ConfabProvider  *provider,
                                    GBytes          *body,
                                    GPtrArray       *models,
                                    char           **next_page_token,
                                    GError         **error)
{
  ConfabAzureProvider *self = CONFAB_AZURE_PROVIDER (provider);
  ConfabProviderClass *parent_class = CONFAB_PROVIDER_CLASS (confab_azure_provider_parent_class);

  if (body != NULL)
    return parent_class->parse_models (provider, body, models, next_page_token, error);

  if (self->deployment == NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                           _("Azure OpenAI sent no model list"));
      return FALSE;
    }
  g_ptr_array_add (models, g_strdup (self->deployment));
  return TRUE;
}

/* Category names as Azure spells them in content_filter_result(s). */
static const struct
{
  const char *id;
  const char *name;
} filter_categories[] = {
  { "hate", N_("hate") },
  { "sexual", N_("sexual content") },
  { "violence", N_("violence") },
  { "self_harm", N_("self-harm") },
  { "jailbreak", N_("an attempt to get around the rules (jailbreak)") },
  { "indirect_attack", N_("instructions hidden in a document (indirect attack)") },
  { "profanity", N_("profanity") },
  { "protected_material_text", N_("protected text") },
  { "protected_material_code", N_("protected code") },
  { "custom_blocklists", N_("a blocklist of your resource") },
};

static const char *
category_name (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (filter_categories); i++)
    if (g_str_equal (filter_categories[i].id, id))
      return g_dgettext (GETTEXT_PACKAGE, filter_categories[i].name);
  return id;
}

static gboolean
category_filtered (JsonNode *node)
{
  JsonObject *category;
  JsonNode *filtered;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  category = json_node_get_object (node);
  filtered = json_object_get_member (category, "filtered");
  return filtered != NULL && JSON_NODE_HOLDS_VALUE (filtered) &&
         json_node_get_value_type (filtered) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (filtered);
}

/* "hate, violence" for the categories the filter flagged; NULL if none
 * is named. The newer body says innererror.content_filter_result, an
 * older one inner_error.content_filter_results. */
static char *
dup_flagged_categories (JsonObject *error)
{
  JsonObject *inner = confab_json_get_object (error, "innererror");
  JsonObject *results;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GList) members = NULL;

  if (inner == NULL)
    inner = confab_json_get_object (error, "inner_error");
  results = confab_json_get_object (inner, "content_filter_result");
  if (results == NULL)
    results = confab_json_get_object (inner, "content_filter_results");
  if (results == NULL)
    return NULL;

  members = json_object_get_members (results);
  for (GList *l = members; l != NULL; l = l->next)
    if (category_filtered (json_object_get_member (results, l->data)))
      g_string_append_printf (names, "%s%s", names->len > 0 ? _(", ") : "",
                              category_name (l->data));

  return names->len > 0 ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}

static gboolean
is_content_filter (JsonObject *error)
{
  JsonObject *inner = confab_json_get_object (error, "innererror");

  if (inner == NULL)
    inner = confab_json_get_object (error, "inner_error");
  return g_strcmp0 (confab_json_get_string (error, "code"), "content_filter") == 0 ||
         g_strcmp0 (confab_json_get_string (inner, "code"), "ResponsibleAIPolicyViolation") == 0;
}

static GError *
content_filter_error (guint       status,
                      JsonObject *error)
{
  g_autofree char *categories = dup_flagged_categories (error);
  const char *message = confab_json_get_string (error, "message");
  g_autofree char *flagged = NULL;

  flagged = categories != NULL
            ? g_strdup_printf (_("It flagged: %s."), categories)
            : g_strdup (_("Azure did not say which category it matched."));

  return g_error_new (CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                      _("Azure OpenAI’s content filter refused this message, so no reply was "
                        "written. Azure checks every prompt against the content policy set on "
                        "your Azure resource. %s Rephrase the message, or ask whoever manages "
                        "the resource to change its content filter. (HTTP %u: %s)"),
                      flagged, status, message != NULL ? message : "content_filter");
}

static GError *
confab_azure_provider_parse_error (ConfabProvider *provider,
                                   guint           status,
                                   GBytes         *body,
                                   gint64         *retry_after_ms)
{
  ConfabProviderClass *parent_class = CONFAB_PROVIDER_CLASS (confab_azure_provider_parent_class);
  g_autoptr(JsonNode) root = confab_provider_parse_json_body (body);
  JsonObject *error = NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    error = confab_json_get_object (json_node_get_object (root), "error");
  if (error != NULL && is_content_filter (error))
    return content_filter_error (status, error);

  return parent_class->parse_error (provider, status, body, retry_after_ms);
}

static void
confab_azure_provider_finalize (GObject *object)
{
  ConfabAzureProvider *self = (ConfabAzureProvider *)object;

  g_clear_pointer (&self->deployment, g_free);

  G_OBJECT_CLASS (confab_azure_provider_parent_class)->finalize (object);
}

static void
confab_azure_provider_class_init (ConfabAzureProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabProviderClass *provider_class = CONFAB_PROVIDER_CLASS (klass);

  object_class->finalize = confab_azure_provider_finalize;

  provider_class->create_chat_message = confab_azure_provider_create_chat_message;
  provider_class->create_stream_parser = confab_azure_provider_create_stream_parser;
  provider_class->parse_error = confab_azure_provider_parse_error;
  provider_class->create_models_message = confab_azure_provider_create_models_message;
  provider_class->parse_models = confab_azure_provider_parse_models;
}

static void
confab_azure_provider_init (ConfabAzureProvider *self)
{
}
