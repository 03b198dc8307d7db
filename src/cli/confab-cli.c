/* confab-cli.c: confab-cli's entry point and its account and provider commands
 *
 * The command line is a public contract (see README.md): other programs
 * depend on its output formats and exit statuses exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "confab-cli.h"
#include "confab-keyring.h"
#include "confab-model-list.h"
#include "confab-provider-info.h"
#include "confab-util.h"

static GCancellable *interrupt;
static gboolean interrupted;

static const char usage_text[] =
  "Usage:\n"
  "  confab-cli providers [--json]\n"
  "  confab-cli accounts add NAME --provider ID [--base-url URL] [--model MODEL]\n"
  "                          [--region ID] [--deployment NAME] [--api-version V]\n"
  "                          [--proxy URL] [--header \"Name: value\"]... [--ca-file PATH]\n"
  "                          [--key-stdin]\n"
  "  confab-cli accounts set NAME [--base-url URL] [--model MODEL] [--proxy URL]\n"
  "                          [--ca-file PATH] [--key-stdin | --keep-key]\n"
  "  confab-cli accounts list [--json]\n"
  "  confab-cli accounts remove NAME\n"
  "  confab-cli accounts default NAME\n"
  "  confab-cli models NAME [--json]\n"
  "  confab-cli chat [--account NAME] [--model MODEL] [--system TEXT]\n"
  "                  [--temperature T] [--max-tokens N] [--events]\n"
  "                  [--fallback NAME[,NAME...]]\n"
  "                  [--conversation ID | --continue] [PROMPT]\n"
  "  confab-cli history list [--json]\n"
  "  confab-cli history show ID [--json]\n"
  "  confab-cli history search QUERY [--json]\n"
  "  confab-cli history export ID --format markdown|json\n"
  "  confab-cli history export --all --format json\n"
  "  confab-cli history import FILE\n"
  "  confab-cli history rename ID TITLE\n"
  "  confab-cli history delete ID\n"
  "\n"
  "Exit status: 0 done, 2 usage, 3 auth or region, 4 network, TLS or timeout,\n"
  "5 protocol, server, bad request or not found, 6 rate limit or quota,\n"
  "7 keyring unavailable or locked, 130 interrupted.\n";

int
confab_cli_exit_status_for_error (const GError *error)
{
  switch (confab_error_code_from_error (error))
    {
    case CONFAB_ERROR_AUTH:
    case CONFAB_ERROR_REGION:
      return CONFAB_EXIT_AUTH;
    case CONFAB_ERROR_NETWORK:
    case CONFAB_ERROR_TLS:
    case CONFAB_ERROR_TIMEOUT:
      return CONFAB_EXIT_NETWORK;
    case CONFAB_ERROR_PROTOCOL:
    case CONFAB_ERROR_SERVER:
    case CONFAB_ERROR_BAD_REQUEST:
    case CONFAB_ERROR_NOT_FOUND:
      return CONFAB_EXIT_PROTOCOL;
    case CONFAB_ERROR_RATE_LIMIT:
    case CONFAB_ERROR_QUOTA:
      return CONFAB_EXIT_RATE_LIMIT;
    case CONFAB_ERROR_KEYRING:
      return CONFAB_EXIT_KEYRING;
    case CONFAB_ERROR_CANCELLED:
      return CONFAB_EXIT_INTERRUPTED;
    default:
      return CONFAB_EXIT_FAILURE;
    }
}

int
confab_cli_fail (int         status,
                 const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fflush (stdout);
  fprintf (stderr, "confab-cli: %s\n", message);
  return status;
}

int
confab_cli_fail_error (const GError *error)
{
  int status = confab_cli_exit_status_for_error (error);

  /* Errors outside CONFAB_ERROR (files, arguments) are the user's to fix. */
  if (error->domain == G_IO_ERROR && (error->code == G_IO_ERROR_INVALID_ARGUMENT ||
                                      error->code == G_IO_ERROR_EXISTS ||
                                      error->code == G_IO_ERROR_NOT_FOUND))
    status = CONFAB_EXIT_USAGE;
  else if (error->domain != CONFAB_ERROR && error->domain != G_IO_ERROR)
    status = CONFAB_EXIT_FAILURE;
  else if (error->domain == G_IO_ERROR && status == CONFAB_EXIT_NETWORK)
    status = CONFAB_EXIT_FAILURE;

  return confab_cli_fail (status, "%s", error->message);
}

ConfabAccountStore *
confab_cli_load_accounts (GError **error)
{
  g_autoptr(ConfabAccountStore) store = confab_account_store_new (NULL);

  if (!confab_account_store_load (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

GOptionContext *
confab_cli_option_context_new (const char         *parameters,
                               const char         *summary,
                               const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_summary (context, summary);
  g_option_context_set_help_enabled (context, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  return context;
}

gboolean
confab_cli_parse_options (GOptionContext   *context,
                          int              *argc,
                          char           ***argv,
                          int              *status)
{
  g_autoptr(GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;

  *status = confab_cli_fail (CONFAB_EXIT_USAGE, "%s", error->message);
  return FALSE;
}

void
confab_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

void
confab_cli_wait (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

GCancellable *
confab_cli_get_interrupt (void)
{
  return interrupt;
}

gboolean
confab_cli_was_interrupted (void)
{
  return interrupted;
}

static gboolean
on_sigint (gpointer user_data)
{
  interrupted = TRUE;
  g_cancellable_cancel (interrupt);
  return G_SOURCE_CONTINUE;
}

/* providers */

static void
add_localized_name (JsonBuilder *builder,
                    const char  *member,
                    const char  *name,
                    const char  *name_zh)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "en");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "zh_CN");
  json_builder_add_string_value (builder, name_zh);
  json_builder_end_object (builder);
}

static void
add_provider_json (JsonBuilder              *builder,
                   const ConfabProviderInfo *info)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, info->id);
  add_localized_name (builder, "name", info->name, info->name_zh);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, confab_protocol_to_string (info->protocol));
  json_builder_set_member_name (builder, "needs_key");
  json_builder_add_boolean_value (builder, info->needs_key);
  json_builder_set_member_name (builder, "default_base_url");
  json_builder_add_string_value (builder, info->regions[0].base_url);

  json_builder_set_member_name (builder, "regions");
  json_builder_begin_array (builder);
  for (const ConfabProviderRegion *r = info->regions; r->id != NULL; r++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, r->id);
      add_localized_name (builder, "name", r->name, r->name_zh);
      json_builder_set_member_name (builder, "base_url");
      json_builder_add_string_value (builder, r->base_url);
      json_builder_set_member_name (builder, "default");
      json_builder_add_boolean_value (builder, r == info->regions);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = 0; info->models[i] != NULL; i++)
    json_builder_add_string_value (builder, info->models[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static int
cmd_providers (int    argc,
               char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new (NULL, "List the providers Confab can talk to.", entries);
  const ConfabProviderInfo * const *infos;
  int status;

  if (!confab_cli_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "providers takes no arguments");

  infos = confab_provider_info_list (NULL);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; infos[i] != NULL; i++)
        add_provider_json (builder, infos[i]);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      confab_cli_print_json (root);
      return CONFAB_EXIT_OK;
    }

  for (guint i = 0; infos[i] != NULL; i++)
    printf ("%-12s %-10s %-40s %s\n", infos[i]->id,
            confab_protocol_to_string (infos[i]->protocol),
            confab_provider_info_get_display_name (infos[i]),
            infos[i]->regions[0].base_url);
  return CONFAB_EXIT_OK;
}

/* accounts */

char *
confab_cli_read_key_stdin (GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char)c);
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  if (confab_str_is_blank (line->str))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "--key-stdin: standard input held no key on its first line");
      return NULL;
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* A proxy password given in the URL goes to the keyring; the account keeps
 * the URL without it. */
gboolean
confab_cli_split_proxy_password (char    **proxy,
                                 char    **password,
                                 GError  **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) bare = NULL;

  if (g_str_equal (*proxy, "system") || g_str_equal (*proxy, "none"))
    return TRUE;

  uri = g_uri_parse (*proxy, G_URI_FLAGS_HAS_PASSWORD, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_port (uri) <= 0 ||
      !g_strv_contains ((const char * const[]) { "http", "https", "socks5", NULL },
                        g_uri_get_scheme (uri)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--proxy takes system, none, or a http://, https:// or socks5:// URL "
                   "with a port");
      return FALSE;
    }

  if (g_uri_get_password (uri) == NULL)
    return TRUE;

  *password = g_strdup (g_uri_get_password (uri));
  bare = g_uri_build_with_user (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), g_uri_get_user (uri),
                                NULL, NULL, g_uri_get_host (uri), g_uri_get_port (uri), "",
                                NULL, NULL);
  g_free (*proxy);
  *proxy = g_uri_to_string (bare);
  return TRUE;
}

gboolean
confab_cli_check_account (ConfabAccount  *account,
                          GError        **error)
{
  const ConfabProviderInfo *info = confab_account_get_provider_info (account);
  const char *region = confab_account_get_region (account);
  g_autofree char *base = NULL;
  g_autoptr(GUri) uri = NULL;

  if (region != NULL && confab_provider_info_lookup_region (info, region) == NULL)
    {
      g_autoptr(GString) ids = g_string_new (NULL);
      for (const ConfabProviderRegion *r = info->regions; r->id != NULL; r++)
        g_string_append_printf (ids, "%s%s", ids->len ? ", " : "", r->id);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s has no region “%s” (choose from: %s)", info->id, region, ids->str);
      return FALSE;
    }

  /* Ollama's local default is a real address; Azure's and custom's are not. */
  if ((info->quirks & CONFAB_QUIRK_USER_BASE_URL) && info->protocol != CONFAB_PROTOCOL_OLLAMA &&
      confab_account_get_base_url (account) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s needs --base-url (the address of your endpoint)", info->name);
      return FALSE;
    }
  if (info->protocol == CONFAB_PROTOCOL_AZURE &&
      g_strcmp0 (confab_account_get_api_version (account), "v1") != 0 &&
      confab_account_get_deployment (account) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Azure OpenAI needs --deployment NAME (or --api-version v1 with "
                           "--model DEPLOYMENT)");
      return FALSE;
    }

  base = confab_account_dup_effective_base_url (account);
  uri = g_uri_parse (base, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      !(g_str_equal (g_uri_get_scheme (uri), "http") ||
        g_str_equal (g_uri_get_scheme (uri), "https")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an http or https base URL", base);
      return FALSE;
    }

  for (const char * const *h = confab_account_get_headers (account); h && *h; h++)
    if (!confab_account_validate_header (*h, error))
      return FALSE;

  return TRUE;
}

static int
accounts_add (int    argc,
              char **argv)
{
  g_autofree char *provider = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *model = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *region = NULL;
  g_autofree char *deployment = NULL;
  g_autofree char *api_version = NULL;
  g_autofree char *ca_file = NULL;
  g_auto(GStrv) headers = NULL;
  gboolean key_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider, "Provider id (see “providers”)", "ID" },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url, "Base URL of the API", "URL" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, "Default model", "MODEL" },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, "Region or endpoint of the provider", "ID" },
    { "deployment", 0, 0, G_OPTION_ARG_STRING, &deployment, "Azure deployment name", "NAME" },
    { "api-version", 0, 0, G_OPTION_ARG_STRING, &api_version, "Azure API version", "V" },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &proxy, "Proxy: system, none, http://, https:// or socks5:// URL", "URL" },
    { "header", 0, 0, G_OPTION_ARG_STRING_ARRAY, &headers, "Extra request header", "\"Name: value\"" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Also trust the CA certificates in this PEM file", "PATH" },
    { "key-stdin", 0, 0, G_OPTION_ARG_NONE, &key_stdin, "Read the API key from the first line of standard input", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new ("NAME", "Add an account.", entries);
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(ConfabAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabKeyringSecret) key = NULL;
  g_autofree char *proxy_password = NULL;
  const ConfabProviderInfo *info;
  int status;

  if (!confab_cli_parse_options (context, &argc, &argv, &status))
    return status;
  if (proxy != NULL && !confab_cli_split_proxy_password (&proxy, &proxy_password, &error))
    return confab_cli_fail_error (error);
  if (argc != 2 || confab_str_is_blank (argv[1]))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts add needs exactly one NAME");
  if (provider == NULL)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts add needs --provider ID");
  if ((info = confab_provider_info_lookup (provider)) == NULL)
    return confab_cli_fail (CONFAB_EXIT_USAGE,
                            "unknown provider “%s”; “confab-cli providers” lists them", provider);
  if (info->needs_key && !key_stdin)
    return confab_cli_fail (CONFAB_EXIT_USAGE,
                            "%s needs an API key: pass it on standard input with --key-stdin",
                            info->name);

  if ((store = confab_cli_load_accounts (&error)) == NULL)
    return confab_cli_fail_error (error);

  account = confab_account_new (NULL, argv[1], provider);
  confab_account_set_base_url (account, base_url);
  confab_account_set_model (account, model);
  confab_account_set_region (account, region);
  confab_account_set_deployment (account, deployment);
  confab_account_set_api_version (account, api_version);
  confab_account_set_proxy (account, proxy);
  confab_account_set_headers (account, (const char * const *)headers);
  if (ca_file != NULL && !confab_cli_set_ca_file (account, ca_file, &error))
    return confab_cli_fail_error (error);

  if (!confab_cli_check_account (account, &error) ||
      !confab_account_store_add (store, account, &error))
    return confab_cli_fail_error (error);

  if (key_stdin && (key = confab_cli_read_key_stdin (&error)) == NULL)
    return confab_cli_fail_error (error);

  /* The key goes first: with no keyring, nothing is written at all. */
  if (key != NULL &&
      !confab_keyring_store_sync (confab_account_get_id (account), CONFAB_SECRET_API_KEY,
                                  argv[1], key, NULL, &error))
    return confab_cli_fail_error (error);

  if (proxy_password != NULL &&
      !confab_keyring_store_sync (confab_account_get_id (account), CONFAB_SECRET_PROXY_PASSWORD,
                                  argv[1], proxy_password, NULL, &error))
    {
      confab_keyring_clear_sync (confab_account_get_id (account), NULL, NULL);
      return confab_cli_fail_error (error);
    }

  if (!confab_account_store_save (store, &error))
    {
      confab_keyring_clear_sync (confab_account_get_id (account), NULL, NULL);
      return confab_cli_fail_error (error);
    }

  return CONFAB_EXIT_OK;
}

static void
add_optional_member (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_account_json (JsonBuilder   *builder,
                  ConfabAccount *account,
                  gboolean       is_default)
{
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  const char * const *headers = confab_account_get_headers (account);

  json_builder_begin_object (builder);
  add_optional_member (builder, "id", confab_account_get_id (account));
  add_optional_member (builder, "name", confab_account_get_name (account));
  add_optional_member (builder, "provider", confab_account_get_provider_id (account));
  add_optional_member (builder, "base_url", base);
  add_optional_member (builder, "model", confab_account_get_model (account));
  add_optional_member (builder, "region", confab_account_get_region (account));
  add_optional_member (builder, "deployment", confab_account_get_deployment (account));
  add_optional_member (builder, "api_version", confab_account_get_api_version (account));
  add_optional_member (builder, "proxy", confab_account_get_proxy (account));
  add_optional_member (builder, "ca_file", confab_account_get_ca_file (account));
  json_builder_set_member_name (builder, "headers");
  json_builder_begin_array (builder);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    json_builder_add_string_value (builder, headers[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "default");
  json_builder_add_boolean_value (builder, is_default);
  json_builder_end_object (builder);
}

static int
accounts_list (int    argc,
               char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new (NULL, "List the accounts.", entries);
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  ConfabAccount *default_account;
  guint n;
  int status;

  if (!confab_cli_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts list takes no arguments");
  if ((store = confab_cli_load_accounts (&error)) == NULL)
    return confab_cli_fail_error (error);

  default_account = confab_account_store_get_default (store);
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *base = confab_account_dup_effective_base_url (account);

      if (json)
        add_account_json (builder, account, account == default_account);
      else
        printf ("%s %-20s %-12s %-24s %s\n", account == default_account ? "*" : " ",
                confab_account_get_name (account), confab_account_get_provider_id (account),
                confab_account_get_model (account) ? confab_account_get_model (account) : "-",
                base ? base : "-");
    }
  json_builder_end_array (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      confab_cli_print_json (root);
    }
  return CONFAB_EXIT_OK;
}

static ConfabAccount *
find_account (ConfabAccountStore *store,
              const char         *name,
              int                *status)
{
  ConfabAccount *account = confab_account_store_lookup_by_name (store, name);

  if (account == NULL)
    *status = confab_cli_fail (CONFAB_EXIT_USAGE, "no account named “%s”", name);
  return account;
}

static int
accounts_remove (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new ("NAME", "Remove an account and its key.", NULL);
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(ConfabAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) keyring_error = NULL;
  int status;

  if (!confab_cli_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts remove needs exactly one NAME");
  if ((store = confab_cli_load_accounts (&error)) == NULL)
    return confab_cli_fail_error (error);
  if ((account = find_account (store, argv[1], &status)) == NULL)
    return status;

  g_object_ref (account);
  confab_account_store_remove (store, account);
  if (!confab_account_store_save (store, &error))
    return confab_cli_fail_error (error);

  if (!confab_keyring_clear_sync (confab_account_get_id (account), NULL, &keyring_error))
    return confab_cli_fail (CONFAB_EXIT_KEYRING,
                            "the account was removed, but its key could not be removed "
                            "from the keyring: %s", keyring_error->message);
  return CONFAB_EXIT_OK;
}

static int
accounts_default (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new ("NAME", "Make an account the default.", NULL);
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ConfabAccount *account;
  int status;

  if (!confab_cli_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts default needs exactly one NAME");
  if ((store = confab_cli_load_accounts (&error)) == NULL)
    return confab_cli_fail_error (error);
  if ((account = find_account (store, argv[1], &status)) == NULL)
    return status;

  confab_account_store_set_default (store, account);
  if (!confab_account_store_save (store, &error))
    return confab_cli_fail_error (error);
  return CONFAB_EXIT_OK;
}

static int
cmd_accounts (int    argc,
              char **argv)
{
  if (argc < 2)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts needs add, set, list, remove or default");

  if (g_str_equal (argv[1], "add"))
    return accounts_add (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "set"))
    return confab_cli_accounts_set (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return accounts_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "remove"))
    return accounts_remove (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "default"))
    return accounts_default (argc - 1, argv + 1);

  return confab_cli_fail (CONFAB_EXIT_USAGE, "unknown accounts command “%s”", argv[1]);
}

/* models */

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
  ModelsResult *models = user_data;

  models->models = confab_model_list_fetch_finish (result, &models->error);
  models->done = TRUE;
}

static void
print_models (const char * const *ids,
              guint               n,
              gboolean            json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        json_builder_add_string_value (builder, ids[i]);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      confab_cli_print_json (root);
      return;
    }

  for (guint i = 0; i < n; i++)
    printf ("%s\n", ids[i]);
  fflush (stdout);
}

static int
cmd_models (int    argc,
            char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new ("NAME", "List the models an account can use.", entries);
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ModelsResult result = { NULL, NULL, FALSE };
  const ConfabProviderInfo *info;
  ConfabAccount *account;
  int status;

  if (!confab_cli_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "models needs exactly one account NAME");
  if ((store = confab_cli_load_accounts (&error)) == NULL)
    return confab_cli_fail_error (error);
  if ((account = find_account (store, argv[1], &status)) == NULL)
    return status;

  confab_model_list_fetch_async (account, interrupt, on_models, &result);
  confab_cli_wait (&result.done);

  if (result.models != NULL)
    {
      print_models ((const char * const *)result.models->pdata, result.models->len, json);
      g_ptr_array_unref (result.models);
      return CONFAB_EXIT_OK;
    }

  info = confab_account_get_provider_info (account);
  status = confab_cli_exit_status_for_error (result.error);
  if (info != NULL && info->models[0] != NULL && status != CONFAB_EXIT_INTERRUPTED &&
      status != CONFAB_EXIT_KEYRING)
    {
      fprintf (stderr, "confab-cli: could not list the models (%s); showing the models "
               "%s is known to offer\n", result.error->message, info->name);
      print_models (info->models, g_strv_length ((char **)info->models), json);
      g_clear_error (&result.error);
      return CONFAB_EXIT_OK;
    }

  status = confab_cli_fail_error (result.error);
  g_clear_error (&result.error);
  return status;
}

int
main (int    argc,
      char **argv)
{
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("confab-cli");
  /* Standard output is the reply (or NDJSON events): GLib's debug and
   * info messages, which it writes there by default, go to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc < 2)
    {
      fputs (usage_text, stderr);
      return CONFAB_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help") ||
      (argc == 3 && (g_str_equal (argv[1], "accounts") || g_str_equal (argv[1], "history")) &&
       (g_str_equal (argv[2], "--help") || g_str_equal (argv[2], "-h"))))
    {
      fputs (usage_text, stdout);
      return CONFAB_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("confab-cli %s\n", PACKAGE_VERSION);
      return CONFAB_EXIT_OK;
    }

  interrupt = g_cancellable_new ();
  g_unix_signal_add (SIGINT, on_sigint, NULL);

  if (g_str_equal (argv[1], "providers"))
    status = cmd_providers (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "accounts"))
    status = cmd_accounts (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "models"))
    status = cmd_models (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "chat"))
    status = confab_cli_chat (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "history"))
    status = confab_cli_history (argc - 1, argv + 1);
  else
    {
      fputs (usage_text, stderr);
      status = confab_cli_fail (CONFAB_EXIT_USAGE, "unknown command “%s”", argv[1]);
    }

  g_clear_object (&interrupt);
  return status;
}
