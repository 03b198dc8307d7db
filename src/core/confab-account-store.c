/* confab-account-store.c
 *
 * Accounts are kept in $XDG_CONFIG_HOME/confab/accounts.json. The file
 * holds no secret: keys and proxy passwords are in the keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "confab-account-store.h"
#include "confab-util.h"

#define FORMAT_VERSION 1

struct _ConfabAccountStore
{
  GObject    parent_instance;

  char      *path;
  GPtrArray *accounts;
  char      *default_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabAccountStore, confab_account_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_DEFAULT_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return CONFAB_TYPE_ACCOUNT;
}

static guint
get_n_items (GListModel *model)
{
  return CONFAB_ACCOUNT_STORE (model)->accounts->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ConfabAccountStore *self = CONFAB_ACCOUNT_STORE (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
confab_account_store_finalize (GObject *object)
{
  ConfabAccountStore *self = (ConfabAccountStore *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->default_id, g_free);

  G_OBJECT_CLASS (confab_account_store_parent_class)->finalize (object);
}

static void
confab_account_store_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabAccountStore *self = CONFAB_ACCOUNT_STORE (object);

  switch (prop_id)
    {
    case PROP_DEFAULT_ACCOUNT:
      g_value_set_object (value, confab_account_store_get_default (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_account_store_class_init (ConfabAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_account_store_finalize;
  object_class->get_property = confab_account_store_get_property;

  properties[PROP_DEFAULT_ACCOUNT] =
    g_param_spec_object ("default-account", NULL, NULL, CONFAB_TYPE_ACCOUNT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_account_store_init (ConfabAccountStore *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
}

char *
confab_account_store_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "confab", "accounts.json", NULL);
}

ConfabAccountStore *
confab_account_store_new (const char *path)
{
  ConfabAccountStore *self = g_object_new (CONFAB_TYPE_ACCOUNT_STORE, NULL);

  self->path = path ? g_strdup (path) : confab_account_store_default_path ();
  return self;
}

const char *
confab_account_store_get_path (ConfabAccountStore *self)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

static gboolean
parse_accounts (JsonNode   *root,
                GPtrArray  *accounts,
                char      **default_id,
                GError    **error)
{
  JsonObject *object;
  JsonArray *array;
  JsonNode *default_node;

  /* An empty file parses, with no root at all (found by fuzzing). */
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (object = json_node_get_object (root), "accounts") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "accounts")))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The accounts file is not in Confab’s format"));
      return FALSE;
    }

  array = json_object_get_array_member (object, "accounts");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      ConfabAccount *account;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      account = confab_account_new_from_json (json_node_get_object (node), error);
      if (account == NULL)
        return FALSE;
      g_ptr_array_add (accounts, account);
    }

  /* Not json_object_get_string_member_with_default(): it is a critical
   * when the member is an object or an array (found by fuzzing). */
  default_node = json_object_get_member (object, "default");
  if (default_node != NULL && JSON_NODE_HOLDS_VALUE (default_node) &&
      json_node_get_value_type (default_node) == G_TYPE_STRING)
    *default_id = g_strdup (json_node_get_string (default_node));
  return TRUE;
}

/* json_parser_load_from_file(), but refusing nesting deep enough to
 * overflow json-glib's recursive parser (found by fuzzing). */
static gboolean
load_json_file (JsonParser  *parser,
                const char  *path,
                GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len;

  return g_file_get_contents (path, &contents, &len, error) &&
         confab_json_parser_load (parser, contents, len, error);
}

/* Replaces the in-memory accounts with the file's. A missing file is an
 * empty store; a corrupt one is an error and leaves the store unchanged. */
gboolean
confab_account_store_load (ConfabAccountStore  *self,
                           GError             **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *default_id = NULL;
  guint old_len;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), FALSE);

  if (!load_json_file (parser, self->path, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Could not read the accounts file %s: %s"),
                       self->path, local_error->message);
          return FALSE;
        }
    }
  else if (!parse_accounts (json_parser_get_root (parser), accounts, &default_id, error))
    return FALSE;

  old_len = self->accounts->len;
  g_ptr_array_unref (self->accounts);
  self->accounts = g_steal_pointer (&accounts);
  g_free (self->default_id);
  self->default_id = g_steal_pointer (&default_id);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->accounts->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_ACCOUNT]);

  return TRUE;
}

gboolean
confab_account_store_save (ConfabAccountStore  *self,
                           GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FORMAT_VERSION);
  if (self->default_id != NULL)
    {
      json_builder_set_member_name (builder, "default");
      json_builder_add_string_value (builder, self->default_id);
    }
  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->accounts->len; i++)
    confab_account_to_json (g_ptr_array_index (self->accounts, i), builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &len);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_file_set_contents_full (self->path, data, len,
                                   G_FILE_SET_CONTENTS_CONSISTENT |
                                   G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* Names are how people and confab-cli refer to accounts, so they are
 * unique. The first account becomes the default. */
gboolean
confab_account_store_add (ConfabAccountStore  *self,
                          ConfabAccount       *account,
                          GError             **error)
{
  const char *name;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), FALSE);

  name = confab_account_get_name (account);
  if (confab_str_is_blank (name))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("An account needs a name"));
      return FALSE;
    }
  if (confab_account_store_lookup_by_name (self, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("An account named “%s” already exists"), name);
      return FALSE;
    }

  g_ptr_array_add (self->accounts, g_object_ref (account));
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);

  if (confab_account_store_get_default (self) == NULL)
    confab_account_store_set_default (self, account);

  return TRUE;
}

gboolean
confab_account_store_remove (ConfabAccountStore *self,
                             ConfabAccount      *account)
{
  guint position;
  gboolean was_default;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), FALSE);

  if (!g_ptr_array_find (self->accounts, account, &position))
    return FALSE;

  was_default = g_strcmp0 (self->default_id, confab_account_get_id (account)) == 0;
  g_ptr_array_remove_index (self->accounts, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);

  if (was_default)
    confab_account_store_set_default (self, self->accounts->len > 0 ?
                                      g_ptr_array_index (self->accounts, 0) : NULL);
  return TRUE;
}

ConfabAccount *
confab_account_store_lookup_by_id (ConfabAccountStore *self,
                                   const char         *id)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), NULL);

  for (guint i = 0; id != NULL && i < self->accounts->len; i++)
    {
      ConfabAccount *account = g_ptr_array_index (self->accounts, i);
      if (g_strcmp0 (confab_account_get_id (account), id) == 0)
        return account;
    }
  return NULL;
}

ConfabAccount *
confab_account_store_lookup_by_name (ConfabAccountStore *self,
                                     const char         *name)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), NULL);

  for (guint i = 0; name != NULL && i < self->accounts->len; i++)
    {
      ConfabAccount *account = g_ptr_array_index (self->accounts, i);
      if (g_strcmp0 (confab_account_get_name (account), name) == 0)
        return account;
    }
  return NULL;
}

/* Borrowed; NULL when there are no accounts. */
ConfabAccount *
confab_account_store_get_default (ConfabAccountStore *self)
{
  ConfabAccount *account;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT_STORE (self), NULL);

  account = confab_account_store_lookup_by_id (self, self->default_id);
  if (account == NULL && self->accounts->len > 0)
    account = g_ptr_array_index (self->accounts, 0);
  return account;
}

void
confab_account_store_set_default (ConfabAccountStore *self,
                                  ConfabAccount      *account)
{
  g_return_if_fail (CONFAB_IS_ACCOUNT_STORE (self));
  g_return_if_fail (account == NULL || CONFAB_IS_ACCOUNT (account));

  if (confab_set_str (&self->default_id, account ? confab_account_get_id (account) : NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_ACCOUNT]);
}
