/* confab-account-editor.c
 *
 * Starts from the provider presets and shows only what the chosen
 * provider needs: a key (optional for Ollama), a region when the preset
 * has several endpoints, Azure's deployment and API version, and a proxy.
 * Beneath the base URL it shows the exact address messages will be sent
 * to, built by the provider itself.
 *
 * The key only ever goes from the password row to the keyring. It is
 * never read back: editing an account leaves the saved key alone unless
 * a new one is typed. "Test Connection" stores a typed key under a
 * throwaway id and removes it afterwards, so testing never replaces the
 * key the account is using.
 *
 * A saved key was given for one server. When the base URL moves to
 * another scheme, host or port and no new key is typed, saving (or
 * testing) would send that key to the new server, so the user confirms
 * it first; confab-cli asks for --keep-key in the same case.
 *
 * A proxy's user name is kept in its URL in accounts.json, as confab-cli
 * keeps it; its password goes only to the keyring, under the account's id,
 * and is never read back into a row either. The keyring can only remove
 * all of an account's secrets at once, so removing the proxy password
 * takes the API key along and stores it again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "confab-account-editor.h"
#include "confab-keyring.h"
#include "confab-model-list.h"
#include "confab-provider.h"
#include "confab-util.h"
#include "confab-widget-util.h"

#define MODELS_SHOWN 8

enum {
  PROXY_SYSTEM,
  PROXY_NONE,
  PROXY_URL,
};

struct _ConfabAccountEditor
{
  GtkWidget                 parent_instance;

  /* Template widgets */
  AdwEntryRow              *api_version_row;
  AdwEntryRow              *base_url_row;
  AdwEntryRow              *deployment_row;
  GtkLabel                 *error_label;
  GtkButton                *forget_proxy_password_button;
  AdwPasswordEntryRow      *key_row;
  AdwEntryRow              *model_row;
  AdwEntryRow              *name_row;
  AdwComboRow              *provider_row;
  AdwPasswordEntryRow      *proxy_password_row;
  AdwComboRow              *proxy_row;
  AdwEntryRow              *proxy_url_row;
  AdwEntryRow              *proxy_user_row;
  AdwComboRow              *region_row;
  GtkLabel                 *request_url_label;
  GtkButton                *save_button;
  GtkButton                *test_button;
  GtkLabel                 *test_result_label;
  GtkSpinner               *test_spinner;
  AdwWindowTitle           *window_title;

  /* Owned references */
  ConfabApplication        *app;
  ConfabAccount            *account;
  char                     *new_id;
  GCancellable             *cancellable;
  /* What the rows were filled with, to know whether the user changed them */
  char                     *prefilled_name;
  char                     *prefilled_base_url;
  char                     *prefilled_model;

  /* Borrowed references */
  const ConfabProviderInfo *info;

  guint                     loading : 1;
  guint                     busy : 1;
  /* The keyring holds a proxy password for the account */
  guint                     saved_proxy_password : 1;
  /* The user asked to remove it when saving */
  guint                     forget_proxy_password : 1;
};

G_DEFINE_FINAL_TYPE (ConfabAccountEditor, confab_account_editor, GTK_TYPE_WIDGET)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
row_text (gpointer row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
is_azure (ConfabAccountEditor *self)
{
  return self->info != NULL && self->info->protocol == CONFAB_PROTOCOL_AZURE;
}

static const ConfabProviderRegion *
selected_region (ConfabAccountEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->region_row);

  if (self->info == NULL)
    return NULL;
  if (selected == GTK_INVALID_LIST_POSITION || selected >= confab_provider_info_get_n_regions (self->info))
    selected = 0;
  return &self->info->regions[selected];
}

/* Replaces a row's text unless the user typed something of their own. */
static void
prefill (gpointer    row,
         char      **prefilled,
         const char *value)
{
  g_autofree char *current = row_text (row);

  if (*current == '\0' || g_strcmp0 (current, *prefilled) == 0)
    gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
  confab_set_str (prefilled, value);
}

static char *
unique_name (ConfabAccountEditor *self,
             const char          *base)
{
  ConfabAccountStore *store = confab_application_get_account_store (self->app);
  char *name = g_strdup (base);

  for (guint i = 2; confab_account_store_lookup_by_name (store, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s %u", base, i);
    }
  return name;
}

static gboolean
is_proxy_uri (GUri *uri)
{
  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         g_uri_get_port (uri) > 0 &&
         g_strv_contains ((const char * const[]) { "http", "https", "socks5", NULL },
                          g_uri_get_scheme (uri));
}

/* The proxy URL as accounts.json keeps it, as confab-cli builds it: the
 * address with the user name of its row (or of the address) and no
 * password. A password typed into the address goes to @password.
 *
 * Returns: (transfer full) (nullable): the URL; %NULL if the address is
 * not an http://, https:// or socks5:// URL with a port */
static char *
dup_proxy_url (ConfabAccountEditor  *self,
               char                **password)
{
  g_autofree char *address = row_text (self->proxy_url_row);
  g_autofree char *user = row_text (self->proxy_user_row);
  g_autoptr(GUri) uri = g_uri_parse (address, G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autoptr(GUri) bare = NULL;

  if (!is_proxy_uri (uri))
    return NULL;
  if (*user == '\0')
    confab_set_str (&user, g_uri_get_user (uri));
  if (password != NULL)
    *password = g_strdup (g_uri_get_password (uri));

  bare = g_uri_build_with_user (G_URI_FLAGS_NONE, g_uri_get_scheme (uri),
                                user != NULL && *user != '\0' ? user : NULL, NULL, NULL,
                                g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);
  return g_uri_to_string (bare);
}

static gboolean
uses_proxy_address (ConfabAccountEditor *self)
{
  return adw_combo_row_get_selected (self->proxy_row) == PROXY_URL;
}

/* The proxy password typed into its row (taken as typed, spaces and
 * all) or else into the address.
 *
 * Returns: (transfer full) (nullable): the password, %NULL if none */
static char *
dup_typed_proxy_password (ConfabAccountEditor *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->proxy_password_row));
  char *password = NULL;
  g_autofree char *url = NULL;

  if (!uses_proxy_address (self))
    return NULL;
  if (*typed != '\0')
    return g_strdup (typed);
  url = dup_proxy_url (self, &password);
  return password;
}

/* Returns: (nullable): what is wrong with the proxy rows, for the user */
static const char *
proxy_problem (ConfabAccountEditor *self)
{
  g_autofree char *address = row_text (self->proxy_url_row);
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(ConfabKeyringSecret) password = NULL;

  if (!uses_proxy_address (self))
    return NULL;
  if (*address == '\0')
    return _("Enter the proxy address");
  if ((url = dup_proxy_url (self, NULL)) == NULL)
    return _("The proxy address must be an http://, https:// or socks5:// address with a port, "
             "such as socks5://127.0.0.1:1080");
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  password = dup_typed_proxy_password (self);
  if (password != NULL && g_uri_get_user (uri) == NULL)
    return _("Enter the proxy user name that goes with the password");
  return NULL;
}

/**
 * confab_account_editor_dup_draft:
 * @id: the id the draft gets
 *
 * An account with what the rows hold now.
 *
 * Returns: (transfer full) (nullable): the draft, %NULL without a provider
 */
ConfabAccount *
confab_account_editor_dup_draft (ConfabAccountEditor *self,
                                 const char          *id)
{
  g_autofree char *name = row_text (self->name_row);
  g_autofree char *base_url = row_text (self->base_url_row);
  g_autofree char *model = row_text (self->model_row);
  g_autofree char *proxy_url = dup_proxy_url (self, NULL);
  const ConfabProviderRegion *region = selected_region (self);
  ConfabAccount *draft;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT_EDITOR (self), NULL);

  if (self->info == NULL)
    return NULL;

  draft = confab_account_new (id, name, self->info->id);
  if (confab_provider_info_get_n_regions (self->info) > 1)
    confab_account_set_region (draft, region->id);
  /* The region's own address is not stored, so a later change of the
   * preset's address reaches the account. */
  if (*base_url != '\0' && g_strcmp0 (base_url, region->base_url) != 0)
    confab_account_set_base_url (draft, base_url);
  confab_account_set_model (draft, *model != '\0' ? model : NULL);
  if (is_azure (self))
    {
      g_autofree char *deployment = row_text (self->deployment_row);
      g_autofree char *api_version = row_text (self->api_version_row);

      confab_account_set_deployment (draft, *deployment != '\0' ? deployment : NULL);
      confab_account_set_api_version (draft, *api_version != '\0' ? api_version : NULL);
    }

  switch (adw_combo_row_get_selected (self->proxy_row))
    {
    case PROXY_NONE:
      confab_account_set_proxy (draft, "none");
      break;
    case PROXY_URL:
      /* An address that is no proxy URL stays out: it may hold a password. */
      confab_account_set_proxy (draft, proxy_url);
      break;
    case PROXY_SYSTEM:
    default:
      confab_account_set_proxy (draft, NULL);
      break;
    }
  if (self->account != NULL)
    confab_account_set_headers (draft, confab_account_get_headers (self->account));
  return draft;
}

/**
 * confab_account_editor_dup_request_url:
 *
 * The address a message would be posted to with what the rows hold now,
 * as the provider builds it; user information in it is hidden.
 *
 * Returns: (transfer full) (nullable): the URL
 */
char *
confab_account_editor_dup_request_url (ConfabAccountEditor  *self,
                                       GError              **error)
{
  g_autoptr(ConfabAccount) draft = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *model = NULL;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT_EDITOR (self), NULL);

  if ((draft = confab_account_editor_dup_draft (self, self->new_id)) == NULL)
    return NULL;
  if ((provider = confab_provider_new_for_account (draft, error)) == NULL)
    return NULL;

  model = row_text (self->model_row);
  request = confab_chat_request_new (*model != '\0' ? model : "MODEL");
  confab_chat_request_add_message (request, CONFAB_ROLE_USER, "…");
  if ((message = confab_provider_create_chat_message (provider, draft, NULL, request, error)) == NULL)
    return NULL;
  return g_uri_to_string_partial (soup_message_get_uri (message), G_URI_HIDE_PASSWORD);
}

static gboolean
check_base_url (ConfabAccountEditor *self)
{
  g_autofree char *text = row_text (self->base_url_row);
  g_autoptr(GUri) uri = NULL;

  if (*text == '\0')
    return TRUE;
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         (g_str_equal (g_uri_get_scheme (uri), "http") || g_str_equal (g_uri_get_scheme (uri), "https"));
}

/* Returns: (nullable): what is missing or wrong, for the user */
static const char *
validate (ConfabAccountEditor *self)
{
  g_autofree char *name = row_text (self->name_row);
  g_autofree char *key = row_text (self->key_row);

  if (self->info == NULL)
    return _("Choose a provider");
  if (*name == '\0')
    return _("Give the account a name");
  if (self->account == NULL && self->info->needs_key && *key == '\0')
    return _("Enter the API key");
  if (!check_base_url (self))
    return _("The base URL must start with http:// or https://");
  return proxy_problem (self);
}

static void
update_proxy_rows (ConfabAccountEditor *self)
{
  gboolean address = uses_proxy_address (self);
  gboolean keep_saved = self->saved_proxy_password && !self->forget_proxy_password;

  gtk_widget_set_visible (GTK_WIDGET (self->proxy_url_row), address);
  gtk_widget_set_visible (GTK_WIDGET (self->proxy_user_row), address);
  gtk_widget_set_visible (GTK_WIDGET (self->proxy_password_row), address);
  gtk_widget_set_visible (GTK_WIDGET (self->forget_proxy_password_button), keep_saved);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->proxy_password_row),
                                 keep_saved ? _("New Proxy _Password (empty: keep the saved one)")
                                            : _("Proxy _Password"));
}

static void
update_state (ConfabAccountEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *problem;

  if (self->loading)
    return;

  url = confab_account_editor_dup_request_url (self, &error);
  gtk_label_set_text (self->request_url_label, url != NULL ? url : (error != NULL ? error->message : ""));

  problem = validate (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), problem == NULL && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), !self->busy && self->info != NULL);
  update_proxy_rows (self);
}

static void
on_field_changed (ConfabAccountEditor *self)
{
  update_state (self);
}

static void
on_region_changed (ConfabAccountEditor *self)
{
  const ConfabProviderRegion *region = selected_region (self);

  if (region != NULL && !self->loading)
    prefill (self->base_url_row, &self->prefilled_base_url, region->base_url);
  update_state (self);
}

static void
fill_regions (ConfabAccountEditor *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  for (const ConfabProviderRegion *r = self->info->regions; r->id != NULL; r++)
    gtk_string_list_append (names, g_dgettext (GETTEXT_PACKAGE, r->name));
  adw_combo_row_set_model (self->region_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->region_row, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->region_row), confab_provider_info_get_n_regions (self->info) > 1);
}

static void
apply_provider (ConfabAccountEditor *self)
{
  gboolean azure = is_azure (self);
  g_autofree char *name = NULL;

  fill_regions (self);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row),
                                 self->info->needs_key ? _("API _Key") : _("API _Key (optional)"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->base_url_row),
                                 azure ? _("_Endpoint (https://RESOURCE.openai.azure.com)") : _("_Base URL"));
  gtk_widget_set_visible (GTK_WIDGET (self->deployment_row), azure);
  gtk_widget_set_visible (GTK_WIDGET (self->api_version_row), azure);

  if (self->account != NULL)
    return;
  name = unique_name (self, confab_provider_info_get_display_name (self->info));
  prefill (self->name_row, &self->prefilled_name, name);
  prefill (self->base_url_row, &self->prefilled_base_url, self->info->regions[0].base_url);
  prefill (self->model_row, &self->prefilled_model, self->info->models[0]);
}

static void
on_provider_changed (ConfabAccountEditor *self)
{
  const ConfabProviderInfo * const *infos = confab_provider_info_list (NULL);
  guint selected = adw_combo_row_get_selected (self->provider_row);
  guint n;

  confab_provider_info_list (&n);
  if (selected == GTK_INVALID_LIST_POSITION || selected >= n)
    return;
  self->info = infos[selected];
  self->loading = TRUE;
  apply_provider (self);
  self->loading = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->test_result_label), FALSE);
  update_state (self);
}

/* Public setters for tests and for opening the editor on a preset */
void
confab_account_editor_set_provider (ConfabAccountEditor *self,
                                    const char          *provider_id)
{
  const ConfabProviderInfo * const *infos;
  guint n;

  g_return_if_fail (CONFAB_IS_ACCOUNT_EDITOR (self));

  infos = confab_provider_info_list (&n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (infos[i]->id, provider_id))
      {
        adw_combo_row_set_selected (self->provider_row, i);
        /* No notification when it was selected already. */
        if (self->info != infos[i])
          on_provider_changed (self);
      }
}

static void
show_error (ConfabAccountEditor *self,
            const char          *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (ConfabAccountEditor *self,
          gboolean             busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), busy);
  gtk_spinner_set_spinning (self->test_spinner, busy);
  update_state (self);
}

/* Confirming that the saved key may go to another server */

typedef void (*KeyMoveConfirmed) (ConfabAccountEditor *self,
                                  gboolean             key_move_confirmed);

typedef struct
{
  ConfabAccountEditor *self;
  KeyMoveConfirmed     then;
} ConfirmData;

static void
confirm_data_free (gpointer  data,
                   GClosure *closure)
{
  ConfirmData *confirm = data;

  g_object_unref (confirm->self);
  g_free (confirm);
}

/* Whether the saved key would follow the draft to another server. */
static gboolean
key_would_move (ConfabAccountEditor *self,
                ConfabAccount       *draft)
{
  g_autofree char *key = row_text (self->key_row);

  return self->account != NULL && *key == '\0' && !confab_account_same_origin (self->account, draft);
}

/* host[:port] as in the URL (an IPv6 address in brackets); with the
 * scheme when only the scheme tells two servers apart. */
static char *
dup_server_name (ConfabAccount *account,
                 gboolean       with_scheme)
{
  g_autofree char *base = confab_account_dup_effective_base_url (account);
  g_autoptr(GUri) uri = base != NULL ? g_uri_parse (base, G_URI_FLAGS_NONE, NULL) : NULL;
  GString *name;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (base != NULL ? base : "");

  name = g_string_new (NULL);
  if (with_scheme)
    g_string_append_printf (name, "%s://", g_uri_get_scheme (uri));
  if (strchr (g_uri_get_host (uri), ':') != NULL)
    g_string_append_printf (name, "[%s]", g_uri_get_host (uri));
  else
    g_string_append (name, g_uri_get_host (uri));
  if (g_uri_get_port (uri) >= 0)
    g_string_append_printf (name, ":%d", g_uri_get_port (uri));
  return g_string_free (name, FALSE);
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ConfirmData      *confirm)
{
  if (g_str_equal (response, "send"))
    confirm->then (confirm->self, TRUE);
  else if (g_str_equal (response, "new-key"))
    gtk_widget_grab_focus (GTK_WIDGET (confirm->self->key_row));
}

static void
confirm_key_move (ConfabAccountEditor *self,
                  ConfabAccount       *draft,
                  KeyMoveConfirmed     then)
{
  g_autofree char *old_name = dup_server_name (self->account, FALSE);
  g_autofree char *new_name = dup_server_name (draft, FALSE);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  ConfirmData *confirm;
  AdwMessageDialog *dialog;

  if (g_str_equal (old_name, new_name))
    {
      g_free (old_name);
      g_free (new_name);
      old_name = dup_server_name (self->account, TRUE);
      new_name = dup_server_name (draft, TRUE);
    }
  /* Translators: %s is a server such as “api.example.com” */
  heading = g_strdup_printf (_("Send the saved key to %s?"), new_name);
  /* Translators: both %s are servers such as “api.example.com” */
  body = g_strdup_printf (_("The saved API key was given for %s. With the new base URL it would be sent to %s instead. "
                            "Send it only if that server belongs to the same provider."),
                          old_name, new_name);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "new-key", _("_Enter a New Key"),
                                    "send", _("_Send Key"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  confirm = g_new0 (ConfirmData, 1);
  confirm->self = g_object_ref (self);
  confirm->then = then;
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_confirm_response), confirm,
                         confirm_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Keyring steps before saving or testing: look up the saved secrets
 * that must be copied or kept, remove all of them if asked, then store
 * the ones to store, one after the other. */

typedef struct _SecretsPlan SecretsPlan;
typedef void (*SecretsDone) (SecretsPlan  *plan,
                             const GError *error);

struct _SecretsPlan
{
  ConfabAccountEditor *self;
  /* Its id is where the secrets go */
  ConfabAccount       *draft;
  /* The keyring item's label names this */
  char                *label;
  /* Where saved secrets are copied from; %NULL for a new account */
  char                *source_id;
  char                *api_key;
  char                *proxy_password;
  char               **looking_up;
  gboolean             copy_api_key;
  gboolean             copy_proxy_password;
  gboolean             clear_proxy_password;
  SecretsDone          then;
  gpointer             user_data;
};

static SecretsPlan *
secrets_plan_new (ConfabAccountEditor *self,
                  ConfabAccount       *draft,
                  const char          *label)
{
  SecretsPlan *plan = g_new0 (SecretsPlan, 1);

  plan->self = g_object_ref (self);
  plan->draft = g_object_ref (draft);
  plan->label = g_strdup (label);
  return plan;
}

static void
secrets_plan_free (SecretsPlan *plan)
{
  g_clear_object (&plan->self);
  g_clear_object (&plan->draft);
  g_clear_pointer (&plan->label, g_free);
  g_clear_pointer (&plan->source_id, g_free);
  g_clear_pointer (&plan->api_key, confab_keyring_secret_free);
  g_clear_pointer (&plan->proxy_password, confab_keyring_secret_free);
  g_free (plan);
}

static gboolean
secrets_plan_is_empty (SecretsPlan *plan)
{
  return !plan->copy_api_key && !plan->copy_proxy_password && !plan->clear_proxy_password &&
         plan->api_key == NULL && plan->proxy_password == NULL;
}

static void secrets_next (SecretsPlan *plan);

static void
secrets_done (SecretsPlan  *plan,
              const GError *error)
{
  plan->then (plan, error);
  secrets_plan_free (plan);
}

static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SecretsPlan *plan = user_data;
  g_autoptr(GError) error = NULL;

  *plan->looking_up = confab_keyring_lookup_finish (result, &error);
  if (error != NULL)
    secrets_done (plan, error);
  else
    secrets_next (plan);
}

static void
on_secrets_cleared (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SecretsPlan *plan = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_keyring_clear_finish (result, &error))
    secrets_done (plan, error);
  else
    secrets_next (plan);
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SecretsPlan *plan = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_keyring_store_finish (result, &error))
    secrets_done (plan, error);
  else
    secrets_next (plan);
}

static void
look_up_secret (SecretsPlan      *plan,
                ConfabSecretKind  kind,
                char            **into)
{
  plan->looking_up = into;
  confab_keyring_lookup_async (plan->source_id, kind, plan->self->cancellable,
                               on_secret_looked_up, plan);
}

/* Stores *@secret and forgets it: it is in the keyring now. */
static void
store_secret (SecretsPlan       *plan,
              ConfabSecretKind   kind,
              char             **secret)
{
  g_autoptr(ConfabKeyringSecret) value = g_steal_pointer (secret);

  confab_keyring_store_async (confab_account_get_id (plan->draft), kind, plan->label, value,
                              plan->self->cancellable, on_secret_stored, plan);
}

static void
secrets_next (SecretsPlan *plan)
{
  if (plan->copy_api_key)
    {
      plan->copy_api_key = FALSE;
      look_up_secret (plan, CONFAB_SECRET_API_KEY, &plan->api_key);
    }
  else if (plan->copy_proxy_password)
    {
      plan->copy_proxy_password = FALSE;
      look_up_secret (plan, CONFAB_SECRET_PROXY_PASSWORD, &plan->proxy_password);
    }
  else if (plan->clear_proxy_password)
    {
      plan->clear_proxy_password = FALSE;
      confab_keyring_clear_kind_async (confab_account_get_id (plan->draft),
                                       CONFAB_SECRET_PROXY_PASSWORD, plan->self->cancellable,
                                       on_secrets_cleared, plan);
    }
  else if (plan->api_key != NULL)
    store_secret (plan, CONFAB_SECRET_API_KEY, &plan->api_key);
  else if (plan->proxy_password != NULL)
    store_secret (plan, CONFAB_SECRET_PROXY_PASSWORD, &plan->proxy_password);
  else
    secrets_done (plan, NULL);
}

/* Test Connection */

typedef struct
{
  ConfabAccountEditor *self;
  ConfabAccount       *draft;
  /* A throwaway id holding the typed secrets, cleared when done */
  char                *temporary_id;
} TestData;

static void
test_data_free (TestData *data)
{
  if (data->temporary_id != NULL)
    confab_keyring_clear_async (data->temporary_id, NULL, NULL, NULL);
  g_clear_object (&data->self);
  g_clear_object (&data->draft);
  g_free (data->temporary_id);
  g_free (data);
}

static void
show_test_result (ConfabAccountEditor *self,
                  GPtrArray           *models,
                  const GError        *error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_label), "error");
  if (models == NULL)
    {
      g_string_append_printf (text, _("The connection failed: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->test_result_label), "error");
    }
  else
    {
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "Connected: %u model",
                                                 "Connected: %u models", models->len),
                              models->len);
      for (guint i = 0; i < MIN (models->len, MODELS_SHOWN); i++)
        g_string_append_printf (text, "%s%s", i == 0 ? "\n" : ", ",
                                (const char *)g_ptr_array_index (models, i));
      if (models->len > MODELS_SHOWN)
        g_string_append (text, ", …");
      gtk_widget_add_css_class (GTK_WIDGET (self->test_result_label), "success");
    }
  gtk_label_set_text (self->test_result_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->test_result_label), TRUE);
}

static void
on_test_models (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestData *data = user_data;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;

  models = confab_model_list_fetch_finish (result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_busy (data->self, FALSE);
      show_test_result (data->self, models, error);
    }
  test_data_free (data);
}

static void
on_test_secrets_ready (SecretsPlan  *plan,
                       const GError *error)
{
  TestData *data = plan->user_data;

  if (error == NULL)
    {
      confab_model_list_fetch_async (data->draft, data->self->cancellable, on_test_models, data);
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_busy (data->self, FALSE);
      show_test_result (data->self, NULL, error);
    }
  test_data_free (data);
}

/* The typed secrets go under a throwaway id, with copies of the saved
 * ones that were not typed, so testing never changes the account's. */
static SecretsPlan *
plan_test_secrets (ConfabAccountEditor *self,
                   TestData            *data)
{
  SecretsPlan *plan = secrets_plan_new (self, data->draft, _("Confab connection test"));
  g_autofree char *key = row_text (self->key_row);

  plan->api_key = *key != '\0' ? g_steal_pointer (&key) : NULL;
  plan->proxy_password = dup_typed_proxy_password (self);
  if (self->account != NULL)
    {
      plan->source_id = g_strdup (confab_account_get_id (self->account));
      plan->copy_api_key = plan->api_key == NULL;
      plan->copy_proxy_password = plan->proxy_password == NULL && !self->forget_proxy_password &&
                                  confab_account_proxy_has_user (data->draft);
    }
  plan->then = on_test_secrets_ready;
  plan->user_data = data;
  return plan;
}

static void
test_connection (ConfabAccountEditor *self,
                 gboolean             key_move_confirmed)
{
  g_autofree char *key = NULL;
  g_autoptr(ConfabKeyringSecret) proxy_password = NULL;
  const char *problem;
  TestData *data;

  if (self->info == NULL || self->busy)
    return;
  if ((problem = proxy_problem (self)) != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, problem);
      show_test_result (self, NULL, error);
      return;
    }

  key = row_text (self->key_row);
  proxy_password = dup_typed_proxy_password (self);
  data = g_new0 (TestData, 1);
  data->self = g_object_ref (self);
  if (*key != '\0' || proxy_password != NULL || self->forget_proxy_password)
    data->temporary_id = confab_new_id ();
  /* Without typed secrets, an edited account is tested with its saved ones. */
  data->draft = confab_account_editor_dup_draft (self, data->temporary_id != NULL ? data->temporary_id
                                                       : self->account != NULL ? confab_account_get_id (self->account)
                                                       : self->new_id);
  if (!key_move_confirmed && key_would_move (self, data->draft))
    {
      confirm_key_move (self, data->draft, test_connection);
      test_data_free (data);
      return;
    }
  set_busy (self, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->test_result_label), FALSE);

  if (data->temporary_id != NULL)
    secrets_next (plan_test_secrets (self, data));
  else
    confab_model_list_fetch_async (data->draft, self->cancellable, on_test_models, data);
}

void
confab_account_editor_test_connection (ConfabAccountEditor *self)
{
  g_return_if_fail (CONFAB_IS_ACCOUNT_EDITOR (self));

  test_connection (self, FALSE);
}

static void
on_test_clicked (ConfabAccountEditor *self)
{
  confab_account_editor_test_connection (self);
}

/* Saving */

static void
finish_save (ConfabAccountEditor *self,
             ConfabAccount       *draft)
{
  ConfabAccountStore *store = confab_application_get_account_store (self->app);
  ConfabAccount *account = confab_account_store_lookup_by_id (store, confab_account_get_id (draft));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (account == NULL)
    {
      if (!confab_account_store_add (store, draft, &error))
        goto failed;
      message = g_strdup_printf (_("Added “%s”"), confab_account_get_name (draft));
    }
  else
    {
      confab_account_set_name (account, confab_account_get_name (draft));
      confab_account_set_region (account, confab_account_get_region (draft));
      confab_account_set_base_url (account, confab_account_get_base_url (draft));
      confab_account_set_model (account, confab_account_get_model (draft));
      confab_account_set_deployment (account, confab_account_get_deployment (draft));
      confab_account_set_api_version (account, confab_account_get_api_version (draft));
      confab_account_set_proxy (account, confab_account_get_proxy (draft));
      message = g_strdup_printf (_("Saved “%s”"), confab_account_get_name (draft));
    }

  if (!confab_application_save_accounts (self->app, &error))
    goto failed;

  confab_model_cache_invalidate (confab_application_get_model_cache (self->app),
                                 confab_account_get_id (draft));
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  if (gtk_editable_get_text (GTK_EDITABLE (self->proxy_password_row))[0] != '\0')
    self->saved_proxy_password = TRUE;
  else if (self->forget_proxy_password)
    self->saved_proxy_password = FALSE;
  self->forget_proxy_password = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->proxy_password_row), "");
  set_busy (self, FALSE);
  g_signal_emit (self, signals[DONE], 0, message);
  return;

failed:
  set_busy (self, FALSE);
  show_error (self, error->message);
}

static void
on_save_secrets_ready (SecretsPlan  *plan,
                       const GError *error)
{
  ConfabAccountEditor *self = plan->self;

  if (error == NULL)
    {
      finish_save (self, plan->draft);
      return;
    }
  /* accounts.json was not written. A new account's secrets would belong
   * to nothing, so they go. */
  if (self->account == NULL)
    confab_keyring_clear_async (confab_account_get_id (plan->draft), NULL, NULL, NULL);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_busy (self, FALSE);
      show_error (self, error->message);
    }
}

/* Removing the saved proxy password leaves the API key alone. */
static SecretsPlan *
plan_save_secrets (ConfabAccountEditor *self,
                   ConfabAccount       *draft)
{
  SecretsPlan *plan = secrets_plan_new (self, draft, confab_account_get_name (draft));
  g_autofree char *key = row_text (self->key_row);

  plan->api_key = *key != '\0' ? g_steal_pointer (&key) : NULL;
  plan->proxy_password = dup_typed_proxy_password (self);
  if (self->account != NULL && self->forget_proxy_password && plan->proxy_password == NULL)
    plan->clear_proxy_password = TRUE;
  plan->then = on_save_secrets_ready;
  return plan;
}

static void
save (ConfabAccountEditor *self,
      gboolean             key_move_confirmed)
{
  ConfabAccountStore *store;
  ConfabAccount *same_name;
  g_autoptr(ConfabAccount) draft = NULL;
  const char *problem;
  SecretsPlan *plan;

  if (self->busy)
    return;
  if ((problem = validate (self)) != NULL)
    {
      show_error (self, problem);
      return;
    }

  store = confab_application_get_account_store (self->app);
  draft = confab_account_editor_dup_draft (self, self->account != NULL ? confab_account_get_id (self->account)
                                                                        : self->new_id);
  same_name = confab_account_store_lookup_by_name (store, confab_account_get_name (draft));
  if (same_name != NULL && !g_str_equal (confab_account_get_id (same_name), confab_account_get_id (draft)))
    {
      g_autofree char *text = g_strdup_printf (_("An account named “%s” already exists"),
                                               confab_account_get_name (draft));
      show_error (self, text);
      return;
    }

  show_error (self, NULL);
  if (!key_move_confirmed && key_would_move (self, draft))
    {
      confirm_key_move (self, draft, save);
      return;
    }
  plan = plan_save_secrets (self, draft);
  if (secrets_plan_is_empty (plan))
    {
      secrets_plan_free (plan);
      finish_save (self, draft);
      return;
    }

  set_busy (self, TRUE);
  secrets_next (plan);
}

void
confab_account_editor_save (ConfabAccountEditor *self)
{
  g_return_if_fail (CONFAB_IS_ACCOUNT_EDITOR (self));

  save (self, FALSE);
}

static void
on_save_clicked (ConfabAccountEditor *self)
{
  confab_account_editor_save (self);
}

static void
on_forget_proxy_password_clicked (ConfabAccountEditor *self)
{
  self->forget_proxy_password = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->proxy_password_row), "");
  update_state (self);
}

static void
on_cancel_clicked (ConfabAccountEditor *self)
{
  g_cancellable_cancel (self->cancellable);
  g_signal_emit (self, signals[DONE], 0, NULL);
}

/* Loading */

static void
fill_providers (ConfabAccountEditor *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const ConfabProviderInfo * const *infos;
  guint n;

  infos = confab_provider_info_list (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (names, confab_provider_info_get_display_name (infos[i]));
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (names));
}

static void
on_saved_proxy_password (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(ConfabAccountEditor) self = user_data;
  g_autoptr(ConfabKeyringSecret) password = NULL;
  g_autoptr(GError) error = NULL;

  /* Only whether there is one matters; it is wiped at once. */
  password = confab_keyring_lookup_finish (result, &error);
  if (password == NULL)
    return;
  self->saved_proxy_password = TRUE;
  update_state (self);
}

/* The address row shows the proxy without its user, who has a row. */
static void
load_proxy_url (ConfabAccountEditor *self,
                const char          *proxy)
{
  g_autoptr(GUri) uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) bare = NULL;
  g_autofree char *address = NULL;

  if (!is_proxy_uri (uri))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->proxy_url_row), proxy);
      return;
    }
  bare = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                      g_uri_get_port (uri), "", NULL, NULL);
  address = g_uri_to_string (bare);
  gtk_editable_set_text (GTK_EDITABLE (self->proxy_url_row), address);
  gtk_editable_set_text (GTK_EDITABLE (self->proxy_user_row), g_uri_get_user (uri) ?: "");
  if (g_uri_get_user (uri) != NULL)
    confab_keyring_lookup_async (confab_account_get_id (self->account), CONFAB_SECRET_PROXY_PASSWORD,
                                 self->cancellable, on_saved_proxy_password, g_object_ref (self));
}

static void
load_account (ConfabAccountEditor *self)
{
  ConfabAccount *account = self->account;
  g_autofree char *base_url = confab_account_dup_effective_base_url (account);
  const char *proxy = confab_account_get_proxy (account);
  guint region = 0;

  self->loading = TRUE;
  confab_account_editor_set_provider (self, confab_account_get_provider_id (account));
  self->loading = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->provider_row), FALSE);

  for (guint i = 0; self->info != NULL && self->info->regions[i].id != NULL; i++)
    if (g_strcmp0 (self->info->regions[i].id, confab_account_get_region (account)) == 0)
      region = i;
  adw_combo_row_set_selected (self->region_row, region);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), confab_account_get_name (account));
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), base_url != NULL ? base_url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->model_row), confab_account_get_model (account) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->deployment_row), confab_account_get_deployment (account) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->api_version_row), confab_account_get_api_version (account) ?: "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row),
                                 _("New API _Key (empty: keep the saved one)"));

  if (proxy == NULL || g_str_equal (proxy, "system"))
    adw_combo_row_set_selected (self->proxy_row, PROXY_SYSTEM);
  else if (g_str_equal (proxy, "none"))
    adw_combo_row_set_selected (self->proxy_row, PROXY_NONE);
  else
    {
      adw_combo_row_set_selected (self->proxy_row, PROXY_URL);
      load_proxy_url (self, proxy);
    }
  self->loading = FALSE;
}

/* GObject */

static void
confab_account_editor_dispose (GObject *object)
{
  ConfabAccountEditor *self = (ConfabAccountEditor *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_ACCOUNT_EDITOR);
  /* Template children without an id are not disposed with it. */
  confab_widget_unparent_children (GTK_WIDGET (self));
  g_clear_object (&self->account);
  g_clear_object (&self->app);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (confab_account_editor_parent_class)->dispose (object);
}

static void
confab_account_editor_finalize (GObject *object)
{
  ConfabAccountEditor *self = (ConfabAccountEditor *)object;

  g_clear_pointer (&self->new_id, g_free);
  g_clear_pointer (&self->prefilled_name, g_free);
  g_clear_pointer (&self->prefilled_base_url, g_free);
  g_clear_pointer (&self->prefilled_model, g_free);

  G_OBJECT_CLASS (confab_account_editor_parent_class)->finalize (object);
}

static void
confab_account_editor_class_init (ConfabAccountEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_account_editor_dispose;
  object_class->finalize = confab_account_editor_finalize;

  /**
   * ConfabAccountEditor::done:
   * @message: (nullable): what was done, for a toast; %NULL when cancelled
   */
  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, api_version_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, deployment_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, forget_proxy_password_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, model_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, provider_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, proxy_password_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, proxy_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, proxy_url_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, proxy_user_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, region_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, request_url_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, test_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, test_result_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabAccountEditor, window_title);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_forget_proxy_password_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_provider_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_region_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
}

static void
confab_account_editor_init (ConfabAccountEditor *self)
{
  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->loading = FALSE;
  self->cancellable = g_cancellable_new ();
  self->new_id = confab_new_id ();
}

/**
 * confab_account_editor_new:
 * @account: (nullable): the account to edit; %NULL to add one
 */
GtkWidget *
confab_account_editor_new (ConfabApplication *application,
                           ConfabAccount     *account)
{
  ConfabAccountEditor *self;

  g_return_val_if_fail (CONFAB_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (account == NULL || CONFAB_IS_ACCOUNT (account), NULL);

  self = g_object_new (CONFAB_TYPE_ACCOUNT_EDITOR, NULL);
  self->app = g_object_ref (application);
  self->account = account != NULL ? g_object_ref (account) : NULL;

  fill_providers (self);
  if (account != NULL)
    {
      adw_window_title_set_title (self->window_title, _("Edit Account"));
      load_account (self);
    }
  else
    {
      adw_window_title_set_title (self->window_title, _("Add Account"));
      gtk_button_set_label (self->save_button, _("Add"));
      adw_combo_row_set_selected (self->provider_row, 0);
      on_provider_changed (self);
    }
  update_state (self);
  return GTK_WIDGET (self);
}
