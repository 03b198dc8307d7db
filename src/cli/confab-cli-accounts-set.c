/* confab-cli-accounts-set.c: "confab-cli accounts set" and --ca-file
 *
 * An account's key was given for one server. If its base URL moves to
 * another server (another scheme, host or port), the stored key would go
 * there with the next request, the way keys reached the wrong host in
 * other clients (reliability.md §2). So such a move needs the user to say
 * which key goes along: a new one (--key-stdin) or the same one
 * (--keep-key). Without either nothing at all is changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-cli.h"
#include "confab-keyring.h"
#include "confab-util.h"

/* Stores the file's absolute path, after checking that it holds at least
 * one PEM certificate; "" removes it. */
gboolean
confab_cli_set_ca_file (ConfabAccount  *account,
                        const char     *path,
                        GError        **error)
{
  g_autofree char *absolute = NULL;
  g_autolist(GTlsCertificate) certificates = NULL;
  g_autoptr(GError) local_error = NULL;

  if (*path == '\0')
    {
      confab_account_set_ca_file (account, NULL);
      return TRUE;
    }

  absolute = g_canonicalize_filename (path, NULL);
  certificates = g_tls_certificate_list_new_from_file (absolute, &local_error);
  if (certificates == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--ca-file: %s holds no PEM certificate (%s)", path,
                   local_error ? local_error->message : "no “BEGIN CERTIFICATE” block");
      return FALSE;
    }

  confab_account_set_ca_file (account, absolute);
  return TRUE;
}

typedef struct
{
  char     *base_url;
  char     *model;
  char     *proxy;
  char     *ca_file;
  gboolean  key_stdin;
  gboolean  keep_key;
} SetOptions;

static void
set_options_clear (SetOptions *options)
{
  g_free (options->base_url);
  g_free (options->model);
  g_free (options->proxy);
  g_free (options->ca_file);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SetOptions, set_options_clear)

/* Applies the options to @account (in memory only). */
static gboolean
apply_options (ConfabAccount     *account,
               const SetOptions  *options,
               GError           **error)
{
  if (options->base_url != NULL)
    confab_account_set_base_url (account, options->base_url);
  if (options->model != NULL)
    confab_account_set_model (account, options->model);
  if (options->proxy != NULL)
    confab_account_set_proxy (account, options->proxy);
  if (options->ca_file != NULL && !confab_cli_set_ca_file (account, options->ca_file, error))
    return FALSE;
  return confab_cli_check_account (account, error);
}

/* Saves the store with the new key in the keyring; if the store cannot
 * be saved, the old key goes back, so the key and the URL stay a pair. */
static gboolean
save_with_key (ConfabAccountStore  *store,
               ConfabAccount       *account,
               const char          *key,
               GError             **error)
{
  const char *id = confab_account_get_id (account);
  const char *name = confab_account_get_name (account);
  g_autoptr(ConfabKeyringSecret) old_key = NULL;
  g_autoptr(GError) lookup_error = NULL;

  if (key == NULL)
    return confab_account_store_save (store, error);

  old_key = confab_keyring_lookup_sync (id, CONFAB_SECRET_API_KEY, NULL, &lookup_error);
  if (lookup_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return FALSE;
    }
  if (!confab_keyring_store_sync (id, CONFAB_SECRET_API_KEY, name, key, NULL, error))
    return FALSE;
  if (confab_account_store_save (store, error))
    return TRUE;

  if (old_key != NULL)
    confab_keyring_store_sync (id, CONFAB_SECRET_API_KEY, name, old_key, NULL, NULL);
  return FALSE;
}

static int
refuse_move (const char *name,
             const char *old_origin,
             const char *new_origin)
{
  return confab_cli_fail (CONFAB_EXIT_USAGE,
                          "the new base URL sends “%s” to %s instead of %s, and its stored key "
                          "was given for %s. Pass the key for the new server with --key-stdin, "
                          "or --keep-key to send the same key there. Nothing was changed.",
                          name, new_origin ? new_origin : "an unknown server",
                          old_origin ? old_origin : "an unknown server",
                          old_origin ? old_origin : "the old one");
}

static int
check_set_options (int               argc,
                   char            **argv,
                   const SetOptions *options)
{
  if (argc != 2 || confab_str_is_blank (argv[1]))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts set needs exactly one NAME");
  if (options->key_stdin && options->keep_key)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "--key-stdin and --keep-key exclude each other");
  if (options->base_url == NULL && options->model == NULL && options->proxy == NULL &&
      options->ca_file == NULL && !options->key_stdin)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "accounts set: nothing to change");
  return CONFAB_EXIT_OK;
}

int
confab_cli_accounts_set (int    argc,
                         char **argv)
{
  g_auto(SetOptions) options = { NULL, NULL, NULL, NULL, FALSE, FALSE };
  const GOptionEntry entries[] = {
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &options.base_url, "Base URL of the API (\"\" for the provider’s)", "URL" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &options.model, "Default model", "MODEL" },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &options.proxy, "Proxy: system, none, http://, https:// or socks5:// URL", "URL" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options.ca_file, "Also trust the CA certificates in this PEM file (\"\" for none)", "PATH" },
    { "key-stdin", 0, 0, G_OPTION_ARG_NONE, &options.key_stdin, "Replace the API key with the first line of standard input", NULL },
    { "keep-key", 0, 0, G_OPTION_ARG_NONE, &options.keep_key, "Send the stored key to the new base URL’s server", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new ("NAME", "Change an account.", entries);
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(ConfabKeyringSecret) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *proxy_password = NULL;
  g_autofree char *old_origin = NULL;
  g_autofree char *new_origin = NULL;
  ConfabAccount *account;
  int status;

  if (!confab_cli_parse_options (context, &argc, &argv, &status))
    return status;
  if ((status = check_set_options (argc, argv, &options)) != CONFAB_EXIT_OK)
    return status;
  if (options.proxy != NULL &&
      !confab_cli_split_proxy_password (&options.proxy, &proxy_password, &error))
    return confab_cli_fail_error (error);

  if ((store = confab_cli_load_accounts (&error)) == NULL)
    return confab_cli_fail_error (error);
  if ((account = confab_account_store_lookup_by_name (store, argv[1])) == NULL)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "no account named “%s”", argv[1]);

  old_origin = confab_account_dup_origin (account);
  if (!apply_options (account, &options, &error))
    return confab_cli_fail_error (error);
  new_origin = confab_account_dup_origin (account);
  if (g_strcmp0 (old_origin, new_origin) != 0 && !options.key_stdin && !options.keep_key)
    return refuse_move (argv[1], old_origin, new_origin);

  if (options.key_stdin && (key = confab_cli_read_key_stdin (&error)) == NULL)
    return confab_cli_fail_error (error);
  if (proxy_password != NULL &&
      !confab_keyring_store_sync (confab_account_get_id (account), CONFAB_SECRET_PROXY_PASSWORD,
                                  argv[1], proxy_password, NULL, &error))
    return confab_cli_fail_error (error);
  if (!save_with_key (store, account, key, &error))
    return confab_cli_fail_error (error);
  return CONFAB_EXIT_OK;
}
