/* confab-account.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>

#include "confab-account.h"
#include "confab-util.h"

struct _ConfabAccount
{
  GObject   parent_instance;

  char     *id;
  char     *name;
  char     *provider_id;
  char     *base_url;
  char     *region;
  char     *model;
  char     *proxy;
  char    **headers;
  char     *deployment;
  char     *api_version;
  char     *ca_file;
};

G_DEFINE_FINAL_TYPE (ConfabAccount, confab_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PROVIDER_ID,
  PROP_BASE_URL,
  PROP_REGION,
  PROP_MODEL,
  PROP_PROXY,
  PROP_HEADERS,
  PROP_DEPLOYMENT,
  PROP_API_VERSION,
  PROP_CA_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_account_finalize (GObject *object)
{
  ConfabAccount *self = (ConfabAccount *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->provider_id, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->region, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->proxy, g_free);
  g_clear_pointer (&self->headers, g_strfreev);
  g_clear_pointer (&self->deployment, g_free);
  g_clear_pointer (&self->api_version, g_free);
  g_clear_pointer (&self->ca_file, g_free);

  G_OBJECT_CLASS (confab_account_parent_class)->finalize (object);
}

static void
confab_account_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabAccount *self = CONFAB_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_PROVIDER_ID: g_value_set_string (value, self->provider_id); break;
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_REGION: g_value_set_string (value, self->region); break;
    case PROP_MODEL: g_value_set_string (value, self->model); break;
    case PROP_PROXY: g_value_set_string (value, self->proxy); break;
    case PROP_HEADERS: g_value_set_boxed (value, self->headers); break;
    case PROP_DEPLOYMENT: g_value_set_string (value, self->deployment); break;
    case PROP_API_VERSION: g_value_set_string (value, self->api_version); break;
    case PROP_CA_FILE: g_value_set_string (value, self->ca_file); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_account_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ConfabAccount *self = CONFAB_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_PROVIDER_ID: self->provider_id = g_value_dup_string (value); break;
    case PROP_NAME: confab_account_set_name (self, g_value_get_string (value)); break;
    case PROP_BASE_URL: confab_account_set_base_url (self, g_value_get_string (value)); break;
    case PROP_REGION: confab_account_set_region (self, g_value_get_string (value)); break;
    case PROP_MODEL: confab_account_set_model (self, g_value_get_string (value)); break;
    case PROP_PROXY: confab_account_set_proxy (self, g_value_get_string (value)); break;
    case PROP_HEADERS: confab_account_set_headers (self, g_value_get_boxed (value)); break;
    case PROP_DEPLOYMENT: confab_account_set_deployment (self, g_value_get_string (value)); break;
    case PROP_API_VERSION: confab_account_set_api_version (self, g_value_get_string (value)); break;
    case PROP_CA_FILE: confab_account_set_ca_file (self, g_value_get_string (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_account_class_init (ConfabAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_account_finalize;
  object_class->get_property = confab_account_get_property;
  object_class->set_property = confab_account_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, construct);
  properties[PROP_PROVIDER_ID] = g_param_spec_string ("provider-id", NULL, NULL, NULL, construct);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, rw);
  properties[PROP_REGION] = g_param_spec_string ("region", NULL, NULL, NULL, rw);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, rw);
  properties[PROP_PROXY] = g_param_spec_string ("proxy", NULL, NULL, NULL, rw);
  properties[PROP_HEADERS] = g_param_spec_boxed ("headers", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_DEPLOYMENT] = g_param_spec_string ("deployment", NULL, NULL, NULL, rw);
  properties[PROP_API_VERSION] = g_param_spec_string ("api-version", NULL, NULL, NULL, rw);
  /* A PEM file of extra CA certificates to trust for this account (a
   * corporate TLS-inspecting proxy), besides the system's. */
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_account_init (ConfabAccount *self)
{
}

ConfabAccount *
confab_account_new (const char *id,
                    const char *name,
                    const char *provider_id)
{
  g_autofree char *new_id = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);

  if (id == NULL)
    id = new_id = confab_new_id ();

  return g_object_new (CONFAB_TYPE_ACCOUNT,
                       "id", id,
                       "name", name,
                       "provider-id", provider_id,
                       NULL);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

ConfabAccount *
confab_account_new_from_json (JsonObject  *object,
                              GError     **error)
{
  const char *id = member_string (object, "id");
  const char *name = member_string (object, "name");
  const char *provider = member_string (object, "provider");
  g_autoptr(ConfabAccount) self = NULL;
  JsonNode *headers;

  /* Empty counts as missing: it would not be saved again (found by
   * fuzzing: a file that loaded did not load after it was saved). */
  if (id == NULL || name == NULL || provider == NULL ||
      *id == '\0' || *name == '\0' || *provider == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("An account entry lacks its id, name or provider"));
      return NULL;
    }

  self = confab_account_new (id, name, provider);
  confab_account_set_base_url (self, member_string (object, "base-url"));
  confab_account_set_region (self, member_string (object, "region"));
  confab_account_set_model (self, member_string (object, "model"));
  confab_account_set_proxy (self, member_string (object, "proxy"));
  confab_account_set_deployment (self, member_string (object, "deployment"));
  confab_account_set_api_version (self, member_string (object, "api-version"));
  confab_account_set_ca_file (self, member_string (object, "ca-file"));

  headers = json_object_get_member (object, "headers");
  if (headers != NULL && JSON_NODE_HOLDS_ARRAY (headers))
    {
      JsonArray *array = json_node_get_array (headers);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *header = json_array_get_string_element (array, i);
          if (header != NULL && confab_account_validate_header (header, NULL))
            g_strv_builder_add (builder, header);
        }
      strv = g_strv_builder_end (builder);
      confab_account_set_headers (self, (const char * const *)strv);
    }

  return g_steal_pointer (&self);
}

static void
add_optional (JsonBuilder *builder,
              const char  *name,
              const char  *value)
{
  if (value == NULL || *value == '\0')
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

void
confab_account_to_json (ConfabAccount *self,
                        JsonBuilder   *builder)
{
  g_return_if_fail (CONFAB_IS_ACCOUNT (self));

  json_builder_begin_object (builder);
  add_optional (builder, "id", self->id);
  add_optional (builder, "name", self->name);
  add_optional (builder, "provider", self->provider_id);
  add_optional (builder, "base-url", self->base_url);
  add_optional (builder, "region", self->region);
  add_optional (builder, "model", self->model);
  add_optional (builder, "proxy", self->proxy);
  add_optional (builder, "deployment", self->deployment);
  add_optional (builder, "api-version", self->api_version);
  add_optional (builder, "ca-file", self->ca_file);
  if (self->headers != NULL && self->headers[0] != NULL)
    {
      json_builder_set_member_name (builder, "headers");
      json_builder_begin_array (builder);
      for (guint i = 0; self->headers[i] != NULL; i++)
        json_builder_add_string_value (builder, self->headers[i]);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

#define DEFINE_STRING_ACCESSORS(field, PROP)                               \
const char *                                                               \
confab_account_get_##field (ConfabAccount *self)                          \
{                                                                          \
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);                   \
  return self->field;                                                      \
}                                                                          \
void                                                                       \
confab_account_set_##field (ConfabAccount *self,                          \
                            const char    *value)                         \
{                                                                          \
  g_return_if_fail (CONFAB_IS_ACCOUNT (self));                             \
  if (value != NULL && *value == '\0')                                     \
    value = NULL;                                                          \
  if (confab_set_str (&self->field, value))                                \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);          \
}

DEFINE_STRING_ACCESSORS (name, PROP_NAME)
DEFINE_STRING_ACCESSORS (base_url, PROP_BASE_URL)
DEFINE_STRING_ACCESSORS (region, PROP_REGION)
DEFINE_STRING_ACCESSORS (model, PROP_MODEL)
DEFINE_STRING_ACCESSORS (proxy, PROP_PROXY)
DEFINE_STRING_ACCESSORS (deployment, PROP_DEPLOYMENT)
DEFINE_STRING_ACCESSORS (api_version, PROP_API_VERSION)
DEFINE_STRING_ACCESSORS (ca_file, PROP_CA_FILE)

const char *
confab_account_get_id (ConfabAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);
  return self->id;
}

const char *
confab_account_get_provider_id (ConfabAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);
  return self->provider_id;
}

const ConfabProviderInfo *
confab_account_get_provider_info (ConfabAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);
  return confab_provider_info_lookup (self->provider_id);
}

/**
 * confab_account_get_default_model:
 *
 * The model a chat with the account uses when none is chosen: its own,
 * else the first of its preset's, else (a provider without a list) its
 * deployment.
 *
 * Returns: (nullable): the model id
 */
const char *
confab_account_get_default_model (ConfabAccount *self)
{
  const ConfabProviderInfo *info;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);

  if (self->model != NULL)
    return self->model;
  info = confab_account_get_provider_info (self);
  if (info != NULL && info->models != NULL && info->models[0] != NULL)
    return info->models[0];
  return self->deployment;
}

/* The account's own base URL, else its region's, without a trailing
 * slash; NULL when the provider is unknown. */
char *
confab_account_dup_effective_base_url (ConfabAccount *self)
{
  const ConfabProviderInfo *info;
  const ConfabProviderRegion *region;
  const char *url = NULL;
  gsize len;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);

  if (self->base_url != NULL)
    url = self->base_url;
  else if ((info = confab_account_get_provider_info (self)) != NULL &&
           (region = confab_provider_info_lookup_region (info, self->region)) != NULL)
    url = region->base_url;

  if (url == NULL)
    return NULL;

  len = strlen (url);
  while (len > 0 && url[len - 1] == '/')
    len--;
  return g_strndup (url, len);
}

/**
 * confab_account_dup_origin:
 *
 * The server the account's requests go to, as `scheme://host:port` with
 * the host in lower case and the scheme's port filled in. A key is given
 * for one such server, so the app and confab-cli compare these before
 * letting the stored key follow a changed base URL.
 *
 * Returns: (transfer full) (nullable): the origin, %NULL without a
 *   usable base URL
 */
char *
confab_account_dup_origin (ConfabAccount *self)
{
  g_autofree char *base = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  const char *scheme;
  int port;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);

  base = confab_account_dup_effective_base_url (self);
  if (base == NULL || (uri = g_uri_parse (base, G_URI_FLAGS_NONE, NULL)) == NULL ||
      g_uri_get_host (uri) == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_str_equal (scheme, "https") ? 443 : 80;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  return g_strdup_printf ("%s://%s:%d", scheme, host, port);
}

/**
 * confab_account_same_origin:
 *
 * Whether both accounts send their requests to the same server (see
 * confab_account_dup_origin()); two accounts without a usable base URL
 * count as the same.
 */
gboolean
confab_account_same_origin (ConfabAccount *self,
                            ConfabAccount *other)
{
  g_autofree char *origin = NULL;
  g_autofree char *other_origin = NULL;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (other), FALSE);

  origin = confab_account_dup_origin (self);
  other_origin = confab_account_dup_origin (other);
  return g_strcmp0 (origin, other_origin) == 0;
}

const char * const *
confab_account_get_headers (ConfabAccount *self)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), NULL);
  return (const char * const *)self->headers;
}

void
confab_account_set_headers (ConfabAccount      *self,
                            const char * const *headers)
{
  g_return_if_fail (CONFAB_IS_ACCOUNT (self));

  if (headers != NULL && headers[0] == NULL)
    headers = NULL;
  if (self->headers == NULL && headers == NULL)
    return;
  if (self->headers != NULL && headers != NULL &&
      g_strv_equal ((const char * const *)self->headers, headers))
    return;

  g_strfreev (self->headers);
  self->headers = g_strdupv ((char **)headers);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEADERS]);
}

/* "Name: value", with a token for the name and no line breaks anywhere,
 * so a header can never smuggle a second header or a request line. */
gboolean
confab_account_validate_header (const char  *header,
                                GError     **error)
{
  const char *colon;

  g_return_val_if_fail (header != NULL, FALSE);

  colon = strchr (header, ':');
  if (colon == NULL || colon == header || strpbrk (header, "\r\n") != NULL)
    goto invalid;

  for (const char *p = header; p < colon; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      goto invalid;

  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a valid header; use “Name: value”"), header);
  return FALSE;
}

/* Whether the account's proxy address names a user, so a password (in
 * the keyring) goes with it. */
gboolean
confab_account_proxy_has_user (ConfabAccount *self)
{
  const char *proxy;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (self), FALSE);

  proxy = self->proxy;
  if (proxy == NULL || g_str_equal (proxy, "none") || g_str_equal (proxy, "system"))
    return FALSE;
  uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
  return uri != NULL && g_uri_get_user (uri) != NULL;
}
