/* confab-model-selector.c
 *
 * The header bar's "Model" button: the user's accounts (provider name in
 * the UI language and the account's name) and the chosen account's models,
 * filtered as the user types, with free entry for any model id. Accounts
 * are followed by id: reloading accounts.json replaces the objects.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-model-selector.h"
#include "confab-util.h"
#include "confab-widget-util.h"

struct _ConfabModelSelector
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkLabel           *account_label;
  GtkListBox         *account_list;
  GtkMenuButton      *button;
  GtkLabel           *error_label;
  GtkSpinner         *loading_spinner;
  GtkListBox         *model_list;
  GtkEntry           *model_entry;
  GtkLabel           *model_label;
  GtkPopover         *popover;
  GtkButton          *refresh_button;

  /* Owned references */
  ConfabAccountStore *store;
  ConfabModelCache   *cache;
  ConfabAccount      *account;
  char               *account_id;
  char               *model;
  GtkStringFilter    *filter;
  GtkFilterListModel *filtered;
  GSignalGroup       *store_signals;
  GSignalGroup       *cache_signals;

  /* Selecting the current rows ourselves is not the user choosing them. */
  guint               selecting : 1;
};

G_DEFINE_FINAL_TYPE (ConfabModelSelector, confab_model_selector, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_ACCOUNT_STORE,
  PROP_MODEL,
  PROP_MODEL_CACHE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_button (ConfabModelSelector *self)
{
  const ConfabProviderInfo *info;
  g_autofree char *subtitle = NULL;

  if (self->account == NULL)
    {
      gtk_label_set_text (self->model_label, _("No Account"));
      gtk_label_set_text (self->account_label, _("Add one in Preferences"));
      return;
    }

  info = confab_account_get_provider_info (self->account);
  subtitle = g_strdup_printf ("%s · %s", confab_account_get_name (self->account),
                              info != NULL ? confab_provider_info_get_display_name (info)
                                           : confab_account_get_provider_id (self->account));
  gtk_label_set_text (self->model_label, self->model != NULL ? self->model : _("No Model"));
  gtk_label_set_text (self->account_label, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), subtitle);
}

static GtkWidget *
create_check (gboolean active)
{
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_widget_set_opacity (check, active ? 1.0 : 0.0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, active ? _("Selected") : "",
                                  -1);
  return check;
}

static GtkWidget *
create_account_row (ConfabModelSelector *self,
                    ConfabAccount       *account)
{
  const ConfabProviderInfo *info = confab_account_get_provider_info (account);
  const char *provider = info != NULL ? confab_provider_info_get_display_name (info)
                                      : confab_account_get_provider_id (account);
  gboolean active = self->account_id != NULL &&
                    g_str_equal (self->account_id, confab_account_get_id (account));
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (confab_account_get_name (account));
  GtkWidget *subtitle = gtk_label_new (provider);
  g_autofree char *accessible = g_strdup_printf ("%s, %s", confab_account_get_name (account),
                                                 provider);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), subtitle);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), create_check (active));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data_full (G_OBJECT (row), "account-id",
                          g_strdup (confab_account_get_id (account)), g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_SELECTED, active, -1);
  return row;
}

static GtkWidget *
create_account_row_cb (gpointer item,
                       gpointer user_data)
{
  return create_account_row (user_data, item);
}

static GtkWidget *
create_model_row_cb (gpointer item,
                     gpointer user_data)
{
  ConfabModelSelector *self = user_data;
  const char *id = gtk_string_object_get_string (item);
  gboolean active = g_strcmp0 (id, self->model) == 0;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (id);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), create_check (active));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data_full (G_OBJECT (row), "model", g_strdup (id), g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, id, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_SELECTED, active, -1);
  return row;
}

/* The current choice shows selected; assistive technologies choose a row
 * by selecting it. */
static void
select_active_row (GtkListBox *list,
                   const char *key,
                   const char *value)
{
  GtkListBoxRow *row;

  gtk_list_box_unselect_all (list);
  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    if (value != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (row), key), value) == 0)
      {
        gtk_list_box_select_row (list, row);
        return;
      }
}

static void
update_loading_state (ConfabModelSelector *self)
{
  const GError *error = NULL;
  gboolean loading = FALSE;

  if (self->account != NULL && self->cache != NULL)
    {
      loading = confab_model_cache_is_loading (self->cache, self->account);
      error = confab_model_cache_get_error (self->cache, self->account);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->loading_spinner), loading);
  gtk_spinner_set_spinning (self->loading_spinner, loading);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), !loading && self->account != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not list the models: %s"), error->message);
      gtk_label_set_text (self->error_label, text);
    }
}

/* Rebuilds the model rows (their check marks) and follows the account's list. */
static void
rebind_models (ConfabModelSelector *self)
{
  GListModel *models = NULL;

  if (self->account != NULL && self->cache != NULL)
    models = G_LIST_MODEL (confab_model_cache_get_models (self->cache, self->account));

  gtk_filter_list_model_set_model (self->filtered, models);
  self->selecting = TRUE;
  gtk_list_box_bind_model (self->model_list, G_LIST_MODEL (self->filtered),
                           create_model_row_cb, self, NULL);
  select_active_row (self->model_list, "model", self->model);
  self->selecting = FALSE;
  update_loading_state (self);
}

static void
rebind_accounts (ConfabModelSelector *self)
{
  self->selecting = TRUE;
  gtk_list_box_bind_model (self->account_list, G_LIST_MODEL (self->store),
                           self->store != NULL ? create_account_row_cb : NULL, self, NULL);
  select_active_row (self->account_list, "account-id", self->account_id);
  self->selecting = FALSE;
}

static void
on_cache_changed (ConfabModelSelector *self,
                  const char          *account_id)
{
  if (g_strcmp0 (account_id, self->account_id) == 0)
    rebind_models (self);
}

static void
set_model_internal (ConfabModelSelector *self,
                    const char          *model)
{
  if (confab_str_is_blank (model))
    model = NULL;
  if (!confab_set_str (&self->model, model))
    return;
  update_button (self);
  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    rebind_models (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

static void
set_account_internal (ConfabModelSelector *self,
                      ConfabAccount       *account)
{
  gboolean changed_id;

  changed_id = confab_set_str (&self->account_id, account ? confab_account_get_id (account) : NULL);
  if (!g_set_object (&self->account, account) && !changed_id)
    return;

  update_button (self);
  rebind_accounts (self);
  rebind_models (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

/* accounts.json was reloaded or edited: find our account again by id, or
 * fall back to the default one. */
static void
on_store_items_changed (ConfabModelSelector *self)
{
  ConfabAccount *account = NULL;

  if (self->store != NULL)
    {
      account = confab_account_store_lookup_by_id (self->store, self->account_id);
      if (account == NULL)
        account = confab_account_store_get_default (self->store);
    }

  if (account != self->account)
    {
      g_autofree char *model = account ? confab_model_cache_dup_default_model (account) : NULL;
      gboolean same_id = self->account_id != NULL && account != NULL &&
                         g_str_equal (self->account_id, confab_account_get_id (account));

      set_account_internal (self, account);
      if (!same_id)
        set_model_internal (self, model);
    }
  update_button (self);
}

static void
on_account_activated (ConfabModelSelector *self,
                      GtkListBoxRow       *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "account-id");
  ConfabAccount *account;
  g_autofree char *model = NULL;

  if (self->store == NULL || (account = confab_account_store_lookup_by_id (self->store, id)) == NULL)
    return;
  if (account == self->account)
    return;

  model = confab_model_cache_dup_default_model (account);
  set_account_internal (self, account);
  set_model_internal (self, model);
}

static void
on_model_activated (ConfabModelSelector *self,
                    GtkListBoxRow       *row)
{
  set_model_internal (self, g_object_get_data (G_OBJECT (row), "model"));
  gtk_popover_popdown (self->popover);
}

static void
on_account_selected (ConfabModelSelector *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->account_list);

  if (!self->selecting && row != NULL)
    on_account_activated (self, row);
}

static void
on_model_selected (ConfabModelSelector *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->model_list);

  if (!self->selecting && row != NULL)
    on_model_activated (self, row);
}

static void
on_model_entry_changed (ConfabModelSelector *self)
{
  gtk_string_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (self->model_entry)));
}

static void
on_model_entry_activate (ConfabModelSelector *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->model_entry)));

  g_strstrip (text);
  if (*text == '\0')
    return;
  set_model_internal (self, text);
  gtk_popover_popdown (self->popover);
}

static void
on_refresh_clicked (ConfabModelSelector *self)
{
  if (self->account != NULL && self->cache != NULL)
    confab_model_cache_refresh (self->cache, self->account);
}

static void
on_popover_show (ConfabModelSelector *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->model_entry), "");
  rebind_accounts (self);
  rebind_models (self);
}

static void
confab_model_selector_dispose (GObject *object)
{
  ConfabModelSelector *self = (ConfabModelSelector *)object;

  if (self->account_list != NULL)
    gtk_list_box_bind_model (self->account_list, NULL, NULL, NULL, NULL);
  if (self->model_list != NULL)
    gtk_list_box_bind_model (self->model_list, NULL, NULL, NULL, NULL);
  g_signal_group_set_target (self->store_signals, NULL);
  g_signal_group_set_target (self->cache_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MODEL_SELECTOR);
  /* Template children without an id are not disposed with it. */
  confab_widget_unparent_children (GTK_WIDGET (self));
  g_clear_object (&self->store);
  g_clear_object (&self->cache);
  g_clear_object (&self->account);
  g_clear_object (&self->filtered);

  G_OBJECT_CLASS (confab_model_selector_parent_class)->dispose (object);
}

static void
confab_model_selector_finalize (GObject *object)
{
  ConfabModelSelector *self = (ConfabModelSelector *)object;

  g_clear_object (&self->store_signals);
  g_clear_object (&self->cache_signals);
  g_clear_pointer (&self->account_id, g_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (confab_model_selector_parent_class)->finalize (object);
}

static void
confab_model_selector_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabModelSelector *self = CONFAB_MODEL_SELECTOR (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_ACCOUNT_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_MODEL_CACHE:
      g_value_set_object (value, self->cache);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_selector_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabModelSelector *self = CONFAB_MODEL_SELECTOR (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      confab_model_selector_set_account (self, g_value_get_object (value));
      break;
    case PROP_ACCOUNT_STORE:
      confab_model_selector_set_account_store (self, g_value_get_object (value));
      break;
    case PROP_MODEL:
      confab_model_selector_set_model (self, g_value_get_string (value));
      break;
    case PROP_MODEL_CACHE:
      confab_model_selector_set_model_cache (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_model_selector_class_init (ConfabModelSelectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_model_selector_dispose;
  object_class->finalize = confab_model_selector_finalize;
  object_class->get_property = confab_model_selector_get_property;
  object_class->set_property = confab_model_selector_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, CONFAB_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_STORE] =
    g_param_spec_object ("account-store", NULL, NULL, CONFAB_TYPE_ACCOUNT_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_CACHE] =
    g_param_spec_object ("model-cache", NULL, NULL, CONFAB_TYPE_MODEL_CACHE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-model-selector.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, account_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, account_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, button);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, model_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, model_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, model_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, popover);
  gtk_widget_class_bind_template_child (widget_class, ConfabModelSelector, refresh_button);
  gtk_widget_class_bind_template_callback (widget_class, on_account_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_account_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_model_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_model_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_model_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_model_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_clicked);
}

static void
confab_model_selector_init (ConfabModelSelector *self)
{
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));

  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  self->filter = gtk_string_filter_new (expression);
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));

  self->store_signals = g_signal_group_new (CONFAB_TYPE_ACCOUNT_STORE);
  g_signal_group_connect_object (self->store_signals, "items-changed",
                                 G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->store_signals, "notify::default-account",
                                 G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
  self->cache_signals = g_signal_group_new (CONFAB_TYPE_MODEL_CACHE);
  g_signal_group_connect_object (self->cache_signals, "changed",
                                 G_CALLBACK (on_cache_changed), self, G_CONNECT_SWAPPED);

  update_button (self);
  update_loading_state (self);
}

GtkWidget *
confab_model_selector_new (void)
{
  return g_object_new (CONFAB_TYPE_MODEL_SELECTOR, NULL);
}

ConfabAccountStore *
confab_model_selector_get_account_store (ConfabModelSelector *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_SELECTOR (self), NULL);
  return self->store;
}

void
confab_model_selector_set_account_store (ConfabModelSelector *self,
                                         ConfabAccountStore  *store)
{
  g_return_if_fail (CONFAB_IS_MODEL_SELECTOR (self));
  g_return_if_fail (store == NULL || CONFAB_IS_ACCOUNT_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_signal_group_set_target (self->store_signals, store);
  rebind_accounts (self);
  on_store_items_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_STORE]);
}

ConfabModelCache *
confab_model_selector_get_model_cache (ConfabModelSelector *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_SELECTOR (self), NULL);
  return self->cache;
}

void
confab_model_selector_set_model_cache (ConfabModelSelector *self,
                                       ConfabModelCache    *cache)
{
  g_return_if_fail (CONFAB_IS_MODEL_SELECTOR (self));
  g_return_if_fail (cache == NULL || CONFAB_IS_MODEL_CACHE (cache));

  if (!g_set_object (&self->cache, cache))
    return;
  g_signal_group_set_target (self->cache_signals, cache);
  rebind_models (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_CACHE]);
}

/* Returns: (nullable) (transfer none): the account the next message goes to */
ConfabAccount *
confab_model_selector_get_account (ConfabModelSelector *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_SELECTOR (self), NULL);
  return self->account;
}

/* Choosing an account also chooses its default model. */
void
confab_model_selector_set_account (ConfabModelSelector *self,
                                   ConfabAccount       *account)
{
  g_autofree char *model = NULL;

  g_return_if_fail (CONFAB_IS_MODEL_SELECTOR (self));
  g_return_if_fail (account == NULL || CONFAB_IS_ACCOUNT (account));

  if (account == self->account)
    return;
  model = account != NULL ? confab_model_cache_dup_default_model (account) : NULL;
  set_account_internal (self, account);
  set_model_internal (self, model);
}

/* Returns: (nullable): the model id the next message goes to */
const char *
confab_model_selector_get_model (ConfabModelSelector *self)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_SELECTOR (self), NULL);
  return self->model;
}

void
confab_model_selector_set_model (ConfabModelSelector *self,
                                 const char          *model)
{
  g_return_if_fail (CONFAB_IS_MODEL_SELECTOR (self));
  set_model_internal (self, model);
}

/**
 * confab_model_selector_select:
 * @account_id: (nullable): an account id; unknown ids mean the default account
 * @model: (nullable): a model id; %NULL means the account's default model
 *
 * Shows a conversation's own choice, e.g. when switching to it.
 */
void
confab_model_selector_select (ConfabModelSelector *self,
                              const char          *account_id,
                              const char          *model)
{
  ConfabAccount *account = NULL;
  g_autofree char *fallback = NULL;

  g_return_if_fail (CONFAB_IS_MODEL_SELECTOR (self));

  if (self->store != NULL)
    {
      account = confab_account_store_lookup_by_id (self->store, account_id);
      if (account == NULL)
        {
          account = confab_account_store_get_default (self->store);
          model = NULL;
        }
    }
  if (account != NULL && confab_str_is_blank (model))
    model = fallback = confab_model_cache_dup_default_model (account);

  set_account_internal (self, account);
  set_model_internal (self, account != NULL ? model : NULL);
}

void
confab_model_selector_popup (ConfabModelSelector *self)
{
  g_return_if_fail (CONFAB_IS_MODEL_SELECTOR (self));
  gtk_menu_button_popup (self->button);
}

void
confab_model_selector_popdown (ConfabModelSelector *self)
{
  g_return_if_fail (CONFAB_IS_MODEL_SELECTOR (self));
  gtk_menu_button_popdown (self->button);
}
