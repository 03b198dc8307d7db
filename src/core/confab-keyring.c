/* confab-keyring.c
 *
 * Secrets are items of the schema below, found by the account's id and the
 * kind of secret; nothing secret is stored in the attributes. libsecret
 * talks to the Secret Service on the desktop and to the Secret portal's
 * file backend inside Flatpak.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "confab-error.h"
#include "confab-keyring.h"

static const SecretSchema confab_schema = {
  "io.github.confab.Confab.Secret", SECRET_SCHEMA_NONE,
  {
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static const char *
kind_to_string (ConfabSecretKind kind)
{
  return kind == CONFAB_SECRET_PROXY_PASSWORD ? "proxy-password" : "api-key";
}

static char *
make_label (ConfabSecretKind  kind,
            const char       *account_name)
{
  if (kind == CONFAB_SECRET_PROXY_PASSWORD)
    return g_strdup_printf (_("Confab proxy password for “%s”"), account_name);
  return g_strdup_printf (_("Confab API key for “%s”"), account_name);
}

/* Every failure to reach or use the keyring becomes one CONFAB_ERROR_KEYRING
 * error that says what the user can do about it. libsecret's own message is
 * kept after it for the curious; it never contains the secret. */
static gboolean
propagate_keyring_error (GError  *error,
                         GError **dest)
{
  const char *hint;

  if (error == NULL)
    return TRUE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (dest, error);
      return FALSE;
    }

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      strstr (error->message, "locked") != NULL)
    hint = _("The keyring is locked. Unlock it (for example by logging in to the desktop) and try again.");
  else if (error->domain == SECRET_ERROR)
    hint = _("The keyring refused the request.");
  else
    hint = _("No keyring is available: the Secret Service (for example GNOME Keyring) is not running. Start it or log in to a desktop session, then try again.");

  g_set_error (dest, CONFAB_ERROR, CONFAB_ERROR_KEYRING, "%s (%s)", hint, error->message);
  g_error_free (error);
  return FALSE;
}

void
confab_keyring_store_async (const char          *account_id,
                            ConfabSecretKind     kind,
                            const char          *account_name,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *label = NULL;

  g_return_if_fail (account_id != NULL);
  g_return_if_fail (secret != NULL);

  label = make_label (kind, account_name ? account_name : account_id);
  secret_password_store (&confab_schema, SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, callback, user_data,
                         "account", account_id,
                         "kind", kind_to_string (kind),
                         NULL);
}

gboolean
confab_keyring_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  GError *local_error = NULL;

  if (secret_password_store_finish (result, &local_error))
    return TRUE;
  return propagate_keyring_error (local_error, error);
}

gboolean
confab_keyring_store_sync (const char    *account_id,
                           ConfabSecretKind kind,
                           const char    *account_name,
                           const char    *secret,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (account_id != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  label = make_label (kind, account_name ? account_name : account_id);
  if (secret_password_store_sync (&confab_schema, SECRET_COLLECTION_DEFAULT, label, secret,
                                  cancellable, &local_error,
                                  "account", account_id,
                                  "kind", kind_to_string (kind),
                                  NULL))
    return TRUE;
  return propagate_keyring_error (local_error, error);
}

/* secret_password_lookup() answers NULL, as for "nothing stored", when
 * the item is in a locked collection and the unlock prompt was dismissed
 * or could not be shown. Without this a locked keyring looked like an
 * account without a key, and keyless providers went ahead without it
 * (tests/test-faults.c, /faults/keyring/locked). A search that does not
 * unlock tells the two apart; if it cannot run (the file backend inside
 * Flatpak has no collections to lock) the answer stays "nothing stored". */
/* Inside Flatpak or Snap, when the Secret portal answers, libsecret uses
 * its file backend: there are no collections to lock, and a Secret Service
 * search there fails with ServiceUnknown and, run beside a store, can hang
 * libsecret 0.20.5. The test mirrors libsecret's own choice of backend
 * (secret-backend.c): sandboxed and the portal's version readable. */
static gboolean
uses_portal_backend (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) && g_getenv ("SNAP_NAME") == NULL)
    return FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.portal.Desktop",
                                       "/org/freedesktop/portal/desktop",
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.freedesktop.portal.Secret",
                                                      "version"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  /* Only a portal that is known to be absent means the Secret Service;
   * a slow answer under load is still the portal. */
  return reply != NULL ||
         !(g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY));
}

static gboolean
can_be_locked (void)
{
  static gsize answer = 0;

  if (g_once_init_enter (&answer))
    g_once_init_leave (&answer, uses_portal_backend () ? 1 : 2);
  return answer == 2;
}

static gboolean
items_locked (GList   *items,
              GError **error)
{
  for (GList *l = items; l != NULL; l = l->next)
    if (secret_item_get_locked (l->data))
      {
        propagate_keyring_error (g_error_new_literal (SECRET_ERROR, SECRET_ERROR_IS_LOCKED,
                                                      "the collection is locked"), error);
        return TRUE;
      }
  return FALSE;
}

static GHashTable *
lookup_attributes (const char       *account_id,
                   ConfabSecretKind  kind)
{
  return secret_attributes_build (&confab_schema,
                                  "account", account_id,
                                  "kind", kind_to_string (kind),
                                  NULL);
}

static void
on_locked_search (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autolist(SecretItem) items = secret_service_search_finish (NULL, result, NULL);
  GError *error = NULL;

  if (items_locked (items, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GHashTable) attributes = NULL;
  GCancellable *cancellable;
  GError *local_error = NULL;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &local_error);

  if (local_error != NULL)
    {
      propagate_keyring_error (local_error, &error);
      g_task_return_error (task, error);
      return;
    }
  if (secret != NULL || !can_be_locked ())
    {
      g_task_return_pointer (task, secret, (GDestroyNotify)secret_password_free);
      return;
    }

  attributes = g_hash_table_ref (g_task_get_task_data (task));
  cancellable = g_task_get_cancellable (task);
  secret_service_search (NULL, &confab_schema, attributes, SECRET_SEARCH_ALL, cancellable,
                         on_locked_search, g_steal_pointer (&task));
}

void
confab_keyring_lookup_async (const char          *account_id,
                             ConfabSecretKind     kind,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (account_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_keyring_lookup_async);
  g_task_set_task_data (task, lookup_attributes (account_id, kind),
                        (GDestroyNotify)g_hash_table_unref);
  secret_password_lookup (&confab_schema, cancellable, on_lookup, task,
                          "account", account_id,
                          "kind", kind_to_string (kind),
                          NULL);
}

/* NULL without an error when no secret is stored. Free the result with
 * confab_keyring_secret_free(), which wipes it. */
char *
confab_keyring_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
confab_keyring_lookup_sync (const char        *account_id,
                            ConfabSecretKind   kind,
                            GCancellable      *cancellable,
                            GError           **error)
{
  GError *local_error = NULL;
  char *secret;

  g_return_val_if_fail (account_id != NULL, NULL);

  secret = secret_password_lookup_sync (&confab_schema, cancellable, &local_error,
                                        "account", account_id,
                                        "kind", kind_to_string (kind),
                                        NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (local_error, error);
      return NULL;
    }
  if (secret == NULL && can_be_locked ())
    {
      g_autoptr(GHashTable) attributes = lookup_attributes (account_id, kind);
      g_autolist(SecretItem) items = secret_service_search_sync (NULL, &confab_schema, attributes,
                                                                SECRET_SEARCH_ALL, cancellable,
                                                                NULL);
      items_locked (items, error);
    }
  return secret;
}

/* Clears every secret of the account: its key and its proxy password. */
void
confab_keyring_clear_async (const char          *account_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (account_id != NULL);

  secret_password_clear (&confab_schema, cancellable, callback, user_data,
                         "account", account_id,
                         NULL);
}

gboolean
confab_keyring_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  GError *local_error = NULL;

  secret_password_clear_finish (result, &local_error);
  return propagate_keyring_error (local_error, error);
}

gboolean
confab_keyring_clear_sync (const char    *account_id,
                           GCancellable  *cancellable,
                           GError       **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (account_id != NULL, FALSE);

  /* Clearing removes one matching item per call. */
  while (secret_password_clear_sync (&confab_schema, cancellable, &local_error,
                                     "account", account_id,
                                     NULL))
    ;
  return propagate_keyring_error (local_error, error);
}

void
confab_keyring_secret_free (char *secret)
{
  secret_password_free (secret);
}
