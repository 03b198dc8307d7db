/* confab-code-block.c: a highlighted, read-only code block with a Copy button
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "confab-code-block.h"
#include "confab-markdown-text.h"

/* How long the Copy button shows that it copied. */
#define COPIED_FEEDBACK_MS 1500
/* Code blocks built ahead, when the main loop is idle. */
#define N_SPARES 2

struct _ConfabCodeBlock
{
  GtkWidget          parent_instance;

  /* child widgets */
  GtkWidget         *header;
  GtkWidget         *language_label;
  GtkWidget         *copy_button;
  GtkSourceView     *view;

  /* borrowed */
  GtkSourceLanguage *source_language;

  /* owned */
  char              *language;
  GString           *code;
  guint              copied_id;
};

G_DEFINE_FINAL_TYPE (ConfabCodeBlock, confab_code_block, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LANGUAGE,
  PROP_CODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  const char *alias;
  const char *id;
} LanguageAlias;

/* What models write after ``` that GtkSourceView calls otherwise.
 * Anything else is tried as an id, then as a file extension. */
static const LanguageAlias language_aliases[] = {
  { "bash", "sh" }, { "c#", "c-sharp" }, { "c++", "cpp" }, { "console", "sh" },
  { "cs", "c-sharp" }, { "csharp", "c-sharp" }, { "cxx", "cpp" }, { "f#", "fsharp" },
  { "golang", "go" }, { "hcl", "terraform" }, { "javascript", "js" }, { "jsonc", "json" },
  { "kt", "kotlin" }, { "make", "makefile" }, { "md", "markdown" }, { "node", "js" },
  { "objective-c", "objc" }, { "patch", "diff" }, { "protobuf", "proto" },
  { "ps1", "powershell" }, { "pwsh", "powershell" }, { "py", "python3" },
  { "py3", "python3" }, { "python", "python3" }, { "rb", "ruby" }, { "rs", "rust" },
  { "shell", "sh" }, { "svg", "xml" }, { "tex", "latex" }, { "tf", "terraform" },
  { "ts", "typescript" }, { "tsx", "typescript-jsx" }, { "vue", "html" },
  { "yml", "yaml" }, { "zsh", "sh" },
};

static GtkSourceLanguage *
find_language (const char *name)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  g_autofree char *lower = g_ascii_strdown (name, -1);
  g_autofree char *file_name = NULL;
  GtkSourceLanguage *language;
  const char *id = lower;
  guint i;

  if (lower[0] == '\0')
    return NULL;

  for (i = 0; i < G_N_ELEMENTS (language_aliases); i++)
    if (g_str_equal (lower, language_aliases[i].alias))
      id = language_aliases[i].id;

  language = gtk_source_language_manager_get_language (manager, id);
  if (language == NULL && strchr (lower, '/') == NULL)
    {
      file_name = g_strconcat ("code.", lower, NULL);
      language = gtk_source_language_manager_guess_language (manager, file_name, NULL);
    }
  /* Hidden languages are fragments of others (js-expr), not languages. */
  if (language != NULL && gtk_source_language_get_hidden (language))
    return NULL;
  return language;
}

static void
update_style_scheme (ConfabCodeBlock *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (style) ? "Adwaita-dark" : "Adwaita";
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));

  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer),
                                      gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

static char *
dup_language_name (ConfabCodeBlock *self)
{
  if (self->source_language != NULL)
    return g_strdup (gtk_source_language_get_name (self->source_language));
  if (self->language[0] != '\0')
    return g_strdup (self->language);
  /* TRANSLATORS: label of a code block whose language is not named */
  return g_strdup (_("Code"));
}

/* GtkSourceView parses a language definition (validating it against its
 * RelaxNG schema) and compiles its regexes whenever a buffer needs it and
 * no other buffer holds it: 30 to 150 ms, which every code block of every
 * reply paid again (build-aux/bench, docs/PERFORMANCE.md). An idle buffer
 * per language used keeps it compiled.
 *
 * The first block of a language waits for the window to stop drawing
 * before it is highlighted: compiled while a reply streams or the user
 * scrolls, the language took a frame of 30 to 80 ms. Its code shows,
 * unhighlighted, meanwhile. */
#define QUIET_MS 150

/* language → the buffer that keeps it compiled */
static GHashTable *holders;
/* Blocks whose language is not compiled yet, oldest first */
static GPtrArray *waiting;
static guint quiet_id;
static gint64 quiet_frame_counter = -1;

static gboolean
is_compiled (GtkSourceLanguage *language)
{
  return language == NULL || (holders != NULL && g_hash_table_contains (holders, language));
}

static void
keep_compiled (GtkSourceLanguage *language)
{
  if (is_compiled (language))
    return;
  if (holders == NULL)
    holders = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  g_hash_table_insert (holders, language, gtk_source_buffer_new_with_language (language));
}

static void
set_buffer_language (ConfabCodeBlock   *self,
                     GtkSourceLanguage *language)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));

  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), language);
}

static void
stop_waiting (ConfabCodeBlock *self)
{
  if (waiting != NULL)
    g_ptr_array_remove (waiting, self);
}

/* Whether a frame was drawn since the last look (TRUE the first time) */
static gboolean
window_drawing (void)
{
  GdkFrameClock *frame_clock = NULL;
  gint64 counter;
  gboolean drawing;

  /* The window's: a block in a row off screen is not realized. */
  for (guint i = 0; i < waiting->len && frame_clock == NULL; i++)
    {
      GtkRoot *root = gtk_widget_get_root (g_ptr_array_index (waiting, i));

      if (root != NULL)
        frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (root));
    }
  /* Not shown anywhere: nothing to keep smooth. */
  if (frame_clock == NULL)
    return FALSE;
  counter = gdk_frame_clock_get_frame_counter (frame_clock);
  drawing = counter != quiet_frame_counter;
  quiet_frame_counter = counter;
  return drawing;
}

/* Compiles the language the oldest waiting block needs, and highlights
 * every block waiting for it. */
static void
compile_first_waiting (void)
{
  GtkSourceLanguage *language = CONFAB_CODE_BLOCK (g_ptr_array_index (waiting, 0))->source_language;

  keep_compiled (language);
  for (guint i = waiting->len; i > 0; i--)
    {
      ConfabCodeBlock *block = g_ptr_array_index (waiting, i - 1);

      if (block->source_language == language)
        {
          g_ptr_array_remove_index (waiting, i - 1);
          set_buffer_language (block, language);
        }
    }
}

/* One language a time, then another quiet spell for the next. */
static gboolean
compile_when_quiet_cb (gpointer user_data)
{
  if (waiting->len > 0 && !window_drawing ())
    compile_first_waiting ();
  if (waiting->len > 0)
    return G_SOURCE_CONTINUE;
  quiet_id = 0;
  quiet_frame_counter = -1;
  return G_SOURCE_REMOVE;
}

static void
setup_language (ConfabCodeBlock *self)
{
  g_autofree char *name = NULL;
  g_autofree char *accessible = NULL;

  self->source_language = find_language (self->language);
  stop_waiting (self);
  if (is_compiled (self->source_language))
    {
      set_buffer_language (self, self->source_language);
    }
  else
    {
      set_buffer_language (self, NULL);
      if (waiting == NULL)
        waiting = g_ptr_array_new ();
      g_ptr_array_add (waiting, self);
      if (quiet_id == 0)
        quiet_id = g_timeout_add (QUIET_MS, compile_when_quiet_cb, NULL);
    }

  name = dup_language_name (self);
  gtk_label_set_text (GTK_LABEL (self->language_label), name);
  /* TRANSLATORS: accessible name of a code block; %s is its language */
  accessible = g_strdup_printf (_("%s code block"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static gboolean
on_copied_timeout (gpointer user_data)
{
  ConfabCodeBlock *self = user_data;

  self->copied_id = 0;
  gtk_button_set_icon_name (GTK_BUTTON (self->copy_button), "edit-copy-symbolic");
  return G_SOURCE_REMOVE;
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (widget);

  /* The code as the model wrote it, not as displayed with <U+202E>
   * markers: the user asked for the code. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->code->str);

  gtk_button_set_icon_name (GTK_BUTTON (self->copy_button), "object-select-symbolic");
  g_clear_handle_id (&self->copied_id, g_source_remove);
  self->copied_id = g_timeout_add (COPIED_FEEDBACK_MS, on_copied_timeout, self);
}

static GtkWidget *
create_header (ConfabCodeBlock *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_add_css_class (header, "md-code-header");

  self->language_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->language_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->language_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->language_label, TRUE);
  gtk_widget_add_css_class (self->language_label, "md-code-language");
  gtk_widget_add_css_class (self->language_label, "caption");
  gtk_widget_add_css_class (self->language_label, "dim-label");
  gtk_box_append (GTK_BOX (header), self->language_label);

  self->copy_button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_add_css_class (self->copy_button, "flat");
  gtk_widget_add_css_class (self->copy_button, "md-code-copy");
  gtk_widget_set_valign (self->copy_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->copy_button, _("Copy"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->copy_button), "code-block.copy");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy"),
                                  -1);
  gtk_box_append (GTK_BOX (header), self->copy_button);

  return header;
}

static GtkSourceView *
create_view (void)
{
  GtkSourceView *view = GTK_SOURCE_VIEW (gtk_source_view_new ());
  GtkTextView *text_view = GTK_TEXT_VIEW (view);

  gtk_text_view_set_editable (text_view, FALSE);
  gtk_text_view_set_cursor_visible (text_view, FALSE);
  gtk_text_view_set_monospace (text_view, TRUE);
  /* Wrapped rather than scrolled sideways: a horizontal scroller inside
   * the conversation's vertical one traps the mouse wheel. */
  gtk_text_view_set_wrap_mode (text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (text_view, 8);
  gtk_text_view_set_bottom_margin (text_view, 10);
  gtk_text_view_set_left_margin (text_view, 12);
  gtk_text_view_set_right_margin (text_view, 12);
  gtk_source_view_set_tab_width (view, 4);
  /* Read-only: an undo stack would only keep copies of the code. */
  gtk_text_buffer_set_enable_undo (gtk_text_view_get_buffer (text_view), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (view), "md-code");
  return view;
}

static void
confab_code_block_constructed (GObject *object)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  G_OBJECT_CLASS (confab_code_block_parent_class)->constructed (object);

  setup_language (self);
  update_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
}

static void
confab_code_block_dispose (GObject *object)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  stop_waiting (self);
  g_clear_handle_id (&self->copied_id, g_source_remove);
  g_clear_pointer (&self->header, gtk_widget_unparent);
  if (self->view != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->view));
      self->view = NULL;
    }

  G_OBJECT_CLASS (confab_code_block_parent_class)->dispose (object);
}

static void
confab_code_block_finalize (GObject *object)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  g_free (self->language);
  g_string_free (self->code, TRUE);

  G_OBJECT_CLASS (confab_code_block_parent_class)->finalize (object);
}

static void
confab_code_block_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code->str);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_code_block_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ConfabCodeBlock *self = CONFAB_CODE_BLOCK (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      /* init() set "" already (the leak was found by fuzzing). */
      g_free (self->language);
      self->language = g_strdup (g_value_get_string (value) != NULL ? g_value_get_string (value) : "");
      break;
    case PROP_CODE:
      confab_code_block_set_code (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_code_block_class_init (ConfabCodeBlockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_code_block_constructed;
  object_class->dispose = confab_code_block_dispose;
  object_class->finalize = confab_code_block_finalize;
  object_class->get_property = confab_code_block_get_property;
  object_class->set_property = confab_code_block_set_property;

  /**
   * ConfabCodeBlock:language:
   *
   * The language as the fence named it (```python), or "".
   */
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ConfabCodeBlock:code:
   *
   * The code, as written (what Copy puts on the clipboard).
   */
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "code-block.copy", NULL, copy_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "codeblock");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_code_block_init (ConfabCodeBlock *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  self->language = g_strdup ("");
  self->code = g_string_new (NULL);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_widget_add_css_class (GTK_WIDGET (self), "md-code-block");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  self->header = create_header (self);
  gtk_widget_set_parent (self->header, GTK_WIDGET (self));
  self->view = create_view ();
  gtk_widget_set_parent (GTK_WIDGET (self->view), GTK_WIDGET (self));
}

/* Building a code block (its GtkSourceView, buffer, header and button)
 * took the longest frames of a streaming reply: the one in which a code
 * block first appears (docs/PERFORMANCE.md). After the first, a couple are
 * kept built ahead, made when the main loop is idle, one per iteration. */
static GPtrArray *spares;
static guint spares_idle_id;

static gboolean
build_spare_idle_cb (gpointer user_data)
{
  g_ptr_array_add (spares, g_object_ref_sink (g_object_new (CONFAB_TYPE_CODE_BLOCK, NULL)));
  if (spares->len < N_SPARES)
    return G_SOURCE_CONTINUE;
  spares_idle_id = 0;
  return G_SOURCE_REMOVE;
}

static GtkWidget *
take_spare (const char *language)
{
  ConfabCodeBlock *self;

  if (spares == NULL)
    spares = g_ptr_array_new_with_free_func (g_object_unref);
  if (spares_idle_id == 0)
    spares_idle_id = g_idle_add_full (G_PRIORITY_LOW, build_spare_idle_cb, NULL, NULL);
  if (spares->len == 0)
    return NULL;

  self = g_ptr_array_steal_index (spares, spares->len - 1);
  g_free (self->language);
  self->language = g_strdup (language);
  setup_language (self);
  /* The pool's reference becomes the floating one g_object_new() gives. */
  g_object_force_floating (G_OBJECT (self));
  return GTK_WIDGET (self);
}

/**
 * confab_code_block_new:
 * @language: (nullable): the language named by the fence, or %NULL
 *
 * Returns: (transfer floating): a new, empty code block
 */
GtkWidget *
confab_code_block_new (const char *language)
{
  GtkWidget *spare;

  if (language == NULL)
    language = "";
  if ((spare = take_spare (language)) != NULL)
    return spare;
  return g_object_new (CONFAB_TYPE_CODE_BLOCK, "language", language, NULL);
}

/**
 * confab_code_block_get_language:
 *
 * Returns: the language as the fence named it, or ""
 */
const char *
confab_code_block_get_language (ConfabCodeBlock *self)
{
  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (self), NULL);

  return self->language;
}

/**
 * confab_code_block_get_language_id:
 *
 * Returns: (nullable): the GtkSourceView id of the language highlighted,
 *   or %NULL if none is
 */
const char *
confab_code_block_get_language_id (ConfabCodeBlock *self)
{
  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (self), NULL);

  if (self->source_language == NULL)
    return NULL;
  return gtk_source_language_get_id (self->source_language);
}

const char *
confab_code_block_get_code (ConfabCodeBlock *self)
{
  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (self), NULL);

  return self->code->str;
}

/**
 * confab_code_block_set_code:
 * @code: the code
 *
 * While a reply streams, each update usually extends the code; only the
 * new part is then added to the buffer, so highlighting and layout stay
 * incremental.
 */
void
confab_code_block_set_code (ConfabCodeBlock *self,
                            const char      *code)
{
  GtkTextBuffer *buffer;
  g_autofree char *shown = NULL;

  g_return_if_fail (CONFAB_IS_CODE_BLOCK (self));

  if (code == NULL)
    code = "";
  if (g_str_equal (code, self->code->str))
    return;

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));
  if (g_str_has_prefix (code, self->code->str))
    {
      GtkTextIter end;

      shown = confab_markdown_sanitize_code (code + self->code->len, -1);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, shown, -1);
    }
  else
    {
      shown = confab_markdown_sanitize_code (code, -1);
      gtk_text_buffer_set_text (buffer, shown, -1);
    }
  g_string_assign (self->code, code);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
}

/**
 * confab_code_block_dup_displayed_code:
 *
 * Returns: (transfer full): the text shown, which differs from the code
 *   where invisible characters were made visible
 */
char *
confab_code_block_dup_displayed_code (ConfabCodeBlock *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CONFAB_IS_CODE_BLOCK (self), NULL);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
