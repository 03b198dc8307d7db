/* confab-history-hit.c
 *
 * The snippet is kept as plain text plus the byte ranges that matched, so
 * that each front end can mark them its own way (Pango markup, ANSI bold,
 * Markdown) without unescaping anything.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-history-hit.h"

typedef struct
{
  guint start;
  guint end;
} Range;

struct _ConfabHistoryHit
{
  GObject  parent_instance;

  char    *conversation_id;
  char    *title;
  gint64   updated;
  double   score;
  char    *snippet;
  GArray  *highlights;
};

G_DEFINE_FINAL_TYPE (ConfabHistoryHit, confab_history_hit, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONVERSATION_ID,
  PROP_TITLE,
  PROP_UPDATED,
  PROP_SNIPPET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
confab_history_hit_finalize (GObject *object)
{
  ConfabHistoryHit *self = (ConfabHistoryHit *)object;

  g_clear_pointer (&self->conversation_id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->snippet, g_free);
  g_clear_pointer (&self->highlights, g_array_unref);

  G_OBJECT_CLASS (confab_history_hit_parent_class)->finalize (object);
}

static void
confab_history_hit_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabHistoryHit *self = CONFAB_HISTORY_HIT (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION_ID: g_value_set_string (value, self->conversation_id); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_UPDATED: g_value_set_int64 (value, self->updated); break;
    case PROP_SNIPPET: g_value_set_string (value, self->snippet); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_history_hit_class_init (ConfabHistoryHitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = confab_history_hit_finalize;
  object_class->get_property = confab_history_hit_get_property;

  properties[PROP_CONVERSATION_ID] =
    g_param_spec_string ("conversation-id", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_UPDATED] =
    g_param_spec_int64 ("updated", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SNIPPET] = g_param_spec_string ("snippet", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_history_hit_init (ConfabHistoryHit *self)
{
  self->highlights = g_array_new (FALSE, FALSE, sizeof (Range));
}

/* Splits @marked into plain text and ranges; a snippet is one line. */
static void
parse_marked_snippet (ConfabHistoryHit *self,
                      const char       *marked)
{
  GString *plain = g_string_new (NULL);
  Range range = { 0, 0 };
  gboolean open = FALSE;

  for (const char *p = marked ? marked : ""; *p != '\0'; p++)
    {
      if (*p == CONFAB_HISTORY_HIT_OPEN[0] && !open)
        {
          range.start = plain->len;
          open = TRUE;
        }
      else if (*p == CONFAB_HISTORY_HIT_CLOSE[0] && open)
        {
          range.end = plain->len;
          if (range.end > range.start)
            g_array_append_val (self->highlights, range);
          open = FALSE;
        }
      else if (*p == '\n' || *p == '\r' || *p == '\t')
        g_string_append_c (plain, ' ');
      else if (*p != CONFAB_HISTORY_HIT_OPEN[0] && *p != CONFAB_HISTORY_HIT_CLOSE[0])
        g_string_append_c (plain, *p);
    }

  self->snippet = g_string_free (plain, FALSE);
}

ConfabHistoryHit *
confab_history_hit_new (const char *conversation_id,
                        const char *title,
                        gint64      updated_us,
                        double      score,
                        const char *marked_snippet)
{
  ConfabHistoryHit *self;

  g_return_val_if_fail (conversation_id != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_HISTORY_HIT, NULL);
  self->conversation_id = g_strdup (conversation_id);
  self->title = g_strdup (title ? title : "");
  self->updated = updated_us;
  self->score = score;
  parse_marked_snippet (self, marked_snippet);
  return self;
}

const char *
confab_history_hit_get_conversation_id (ConfabHistoryHit *self)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_HIT (self), NULL);
  return self->conversation_id;
}

const char *
confab_history_hit_get_title (ConfabHistoryHit *self)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_HIT (self), NULL);
  return self->title;
}

gint64
confab_history_hit_get_updated (ConfabHistoryHit *self)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_HIT (self), 0);
  return self->updated;
}

/* Lower is more relevant. */
double
confab_history_hit_get_score (ConfabHistoryHit *self)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_HIT (self), 0);
  return self->score;
}

const char *
confab_history_hit_get_snippet (ConfabHistoryHit *self)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_HIT (self), NULL);
  return self->snippet;
}

guint
confab_history_hit_get_n_highlights (ConfabHistoryHit *self)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_HIT (self), 0);
  return self->highlights->len;
}

/* Byte offsets into the snippet, end exclusive. */
void
confab_history_hit_get_highlight (ConfabHistoryHit *self,
                                  guint             index,
                                  guint            *start,
                                  guint            *end)
{
  Range *range;

  g_return_if_fail (CONFAB_IS_HISTORY_HIT (self));
  g_return_if_fail (index < self->highlights->len);

  range = &g_array_index (self->highlights, Range, index);
  if (start != NULL)
    *start = range->start;
  if (end != NULL)
    *end = range->end;
}

/* The snippet with @open and @close around each match. */
char *
confab_history_hit_format_snippet (ConfabHistoryHit *self,
                                   const char       *open,
                                   const char       *close)
{
  GString *out;
  guint pos = 0;

  g_return_val_if_fail (CONFAB_IS_HISTORY_HIT (self), NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->highlights->len; i++)
    {
      Range *range = &g_array_index (self->highlights, Range, i);

      g_string_append_len (out, self->snippet + pos, range->start - pos);
      g_string_append (out, open ? open : "");
      g_string_append_len (out, self->snippet + range->start, range->end - range->start);
      g_string_append (out, close ? close : "");
      pos = range->end;
    }
  g_string_append (out, self->snippet + pos);
  return g_string_free (out, FALSE);
}
