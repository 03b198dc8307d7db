/* confab-conversation.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-conversation.h"
#include "confab-util.h"

#define TITLE_MAX_CHARS 50

struct _ConfabConversation
{
  GObject    parent_instance;

  char      *id;
  char      *title;
  gint64     created;
  gint64     updated;
  char      *account_id;
  char      *model;
  char      *system_prompt;
  double     temperature;
  gint64     max_tokens;
  GPtrArray *messages;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabConversation, confab_conversation, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_CREATED,
  PROP_UPDATED,
  PROP_ACCOUNT_ID,
  PROP_MODEL,
  PROP_SYSTEM_PROMPT,
  PROP_TEMPERATURE,
  PROP_MAX_TOKENS,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return CONFAB_TYPE_MESSAGE;
}

static guint
get_n_items (GListModel *model)
{
  return CONFAB_CONVERSATION (model)->messages->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ConfabConversation *self = CONFAB_CONVERSATION (model);

  if (position >= self->messages->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->messages, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
confab_conversation_finalize (GObject *object)
{
  ConfabConversation *self = (ConfabConversation *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->account_id, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->system_prompt, g_free);
  g_clear_pointer (&self->messages, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_conversation_parent_class)->finalize (object);
}

static void
confab_conversation_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_CREATED: g_value_set_int64 (value, self->created); break;
    case PROP_UPDATED: g_value_set_int64 (value, self->updated); break;
    case PROP_ACCOUNT_ID: g_value_set_string (value, self->account_id); break;
    case PROP_MODEL: g_value_set_string (value, self->model); break;
    case PROP_SYSTEM_PROMPT: g_value_set_string (value, self->system_prompt); break;
    case PROP_TEMPERATURE: g_value_set_double (value, self->temperature); break;
    case PROP_MAX_TOKENS: g_value_set_int64 (value, self->max_tokens); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->messages->len); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_TITLE: confab_conversation_set_title (self, g_value_get_string (value)); break;
    case PROP_CREATED: confab_conversation_set_created (self, g_value_get_int64 (value)); break;
    case PROP_UPDATED: confab_conversation_set_updated (self, g_value_get_int64 (value)); break;
    case PROP_ACCOUNT_ID: confab_conversation_set_account_id (self, g_value_get_string (value)); break;
    case PROP_MODEL: confab_conversation_set_model (self, g_value_get_string (value)); break;
    case PROP_SYSTEM_PROMPT: confab_conversation_set_system_prompt (self, g_value_get_string (value)); break;
    case PROP_TEMPERATURE: confab_conversation_set_temperature (self, g_value_get_double (value)); break;
    case PROP_MAX_TOKENS: confab_conversation_set_max_tokens (self, g_value_get_int64 (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_class_init (ConfabConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_conversation_finalize;
  object_class->get_property = confab_conversation_get_property;
  object_class->set_property = confab_conversation_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_CREATED] = g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_UPDATED] = g_param_spec_int64 ("updated", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_ACCOUNT_ID] = g_param_spec_string ("account-id", NULL, NULL, NULL, rw);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, rw);
  properties[PROP_SYSTEM_PROMPT] = g_param_spec_string ("system-prompt", NULL, NULL, NULL, rw);
  /* A negative temperature means "the provider's default". */
  properties[PROP_TEMPERATURE] =
    g_param_spec_double ("temperature", NULL, NULL, -1.0, 2.0, -1.0, rw);
  /* Zero max-tokens means "the provider's default". */
  properties[PROP_MAX_TOKENS] =
    g_param_spec_int64 ("max-tokens", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_conversation_init (ConfabConversation *self)
{
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
  self->temperature = -1.0;
  self->created = self->updated = g_get_real_time ();
}

ConfabConversation *
confab_conversation_new (const char *id)
{
  g_autofree char *new_id = NULL;

  if (id == NULL)
    id = new_id = confab_new_id ();

  return g_object_new (CONFAB_TYPE_CONVERSATION, "id", id, NULL);
}

const char *
confab_conversation_get_id (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);
  return self->id;
}

#define DEFINE_STRING_ACCESSORS(field, PROP)                                   \
const char *                                                                   \
confab_conversation_get_##field (ConfabConversation *self)                    \
{                                                                              \
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);                  \
  return self->field;                                                          \
}                                                                              \
void                                                                           \
confab_conversation_set_##field (ConfabConversation *self,                    \
                                 const char         *value)                   \
{                                                                              \
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));                            \
  if (confab_set_str (&self->field, value))                                    \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);              \
}

#define DEFINE_INT64_ACCESSORS(field, PROP)                                    \
gint64                                                                         \
confab_conversation_get_##field (ConfabConversation *self)                    \
{                                                                              \
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0);                     \
  return self->field;                                                          \
}                                                                              \
void                                                                           \
confab_conversation_set_##field (ConfabConversation *self,                    \
                                 gint64              value)                   \
{                                                                              \
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));                            \
  if (self->field == value)                                                    \
    return;                                                                    \
  self->field = value;                                                         \
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);                \
}

DEFINE_STRING_ACCESSORS (title, PROP_TITLE)
DEFINE_STRING_ACCESSORS (account_id, PROP_ACCOUNT_ID)
DEFINE_STRING_ACCESSORS (model, PROP_MODEL)
DEFINE_STRING_ACCESSORS (system_prompt, PROP_SYSTEM_PROMPT)
DEFINE_INT64_ACCESSORS (created, PROP_CREATED)
DEFINE_INT64_ACCESSORS (updated, PROP_UPDATED)
DEFINE_INT64_ACCESSORS (max_tokens, PROP_MAX_TOKENS)

double
confab_conversation_get_temperature (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), -1.0);
  return self->temperature;
}

void
confab_conversation_set_temperature (ConfabConversation *self,
                                     double              temperature)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (temperature < 0)
    temperature = -1.0;
  if (self->temperature == temperature)
    return;
  self->temperature = temperature;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPERATURE]);
}

void
confab_conversation_append (ConfabConversation *self,
                            ConfabMessage      *message)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));

  g_ptr_array_add (self->messages, g_object_ref (message));
  g_list_model_items_changed (G_LIST_MODEL (self), self->messages->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
confab_conversation_remove (ConfabConversation *self,
                            guint               position)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (position < self->messages->len);

  g_ptr_array_remove_index (self->messages, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Borrowed; NULL past the end. */
ConfabMessage *
confab_conversation_get_message (ConfabConversation *self,
                                 guint               position)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  if (position >= self->messages->len)
    return NULL;
  return g_ptr_array_index (self->messages, position);
}

/* The first non-blank line, cut at about 50 characters on a character
 * boundary, with an ellipsis when cut. */
char *
confab_conversation_derive_title (const char *first_message)
{
  const char *line = first_message ? first_message : "";
  const char *end;
  g_autofree char *trimmed = NULL;

  while (*line != '\0')
    {
      end = strchr (line, '\n');
      if (end == NULL)
        end = line + strlen (line);
      trimmed = g_strstrip (g_strndup (line, end - line));
      if (*trimmed != '\0')
        break;
      g_clear_pointer (&trimmed, g_free);
      line = *end ? end + 1 : end;
    }

  if (trimmed == NULL || !g_utf8_validate (trimmed, -1, NULL))
    return g_strdup ("");

  if (g_utf8_strlen (trimmed, -1) > TITLE_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (trimmed, 0, TITLE_MAX_CHARS - 1);
      return g_strconcat (g_strchomp (cut), "…", NULL);
    }

  return g_steal_pointer (&trimmed);
}
