/* test-markdown.c: ConfabMarkdownView renders markdown as widgets,
 * streams incrementally and keeps model output inert
 *
 * A GTK test: it runs under Xvfb (build-aux/test, or `xvfb-run -a meson
 * test markdown`). The widget tree is described as text (widget kind, CSS
 * classes, label markup) so that whole renderings can be compared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <string.h>

#include <gtksourceview/gtksource.h>

#include "confab-code-block.h"
#include "confab-markdown-image.h"
#include "confab-markdown-parser.h"
#include "confab-markdown-view.h"

/* Time limits are for hangs, not benchmarks; sanitizers are slow. */
#if defined(__SANITIZE_ADDRESS__)
# define SLOWDOWN 10
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SLOWDOWN 10
# endif
#endif
#ifndef SLOWDOWN
# define SLOWDOWN 1
#endif

/* Describing a widget tree */

static void describe_into (GString   *out,
                           GtkWidget *widget,
                           guint      depth);

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
describe_classes (GString   *out,
                  GtkWidget *widget)
{
  g_auto(GStrv) classes = gtk_widget_get_css_classes (widget);
  guint i;

  /* GTK lists classes in an order that depends on the process's history */
  qsort (classes, g_strv_length (classes), sizeof (char *), compare_strings);
  for (i = 0; classes[i] != NULL; i++)
    g_string_append_printf (out, ".%s", classes[i]);
}

static void
describe_details (GString   *out,
                  GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (parent != NULL && GTK_IS_GRID (parent))
    {
      int column, row;

      gtk_grid_query_child (GTK_GRID (parent), widget, &column, &row, NULL, NULL);
      g_string_append_printf (out, " @%d,%d", column, row);
    }

  if (GTK_IS_LABEL (widget) && gtk_label_get_xalign (GTK_LABEL (widget)) != 0.0f
      && !gtk_widget_has_css_class (widget, "md-marker"))
    g_string_append_printf (out, " xalign=%.1f", gtk_label_get_xalign (GTK_LABEL (widget)));
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, " \"%s\"", gtk_label_get_label (GTK_LABEL (widget)));
  else if (GTK_IS_CHECK_BUTTON (widget))
    g_string_append (out, gtk_check_button_get_active (GTK_CHECK_BUTTON (widget)) ? " [x]" : " [ ]");
  else if (CONFAB_IS_CODE_BLOCK (widget))
    g_string_append_printf (out, " lang=%s \"%s\"",
                            confab_code_block_get_language_id (CONFAB_CODE_BLOCK (widget)),
                            confab_code_block_get_code (CONFAB_CODE_BLOCK (widget)));
  else if (CONFAB_IS_MARKDOWN_IMAGE (widget))
    g_string_append_printf (out, " alt=\"%s\" uri=%s",
                            confab_markdown_image_get_alt (CONFAB_MARKDOWN_IMAGE (widget)),
                            confab_markdown_image_get_uri (CONFAB_MARKDOWN_IMAGE (widget)));
}

static void
describe_into (GString   *out,
               GtkWidget *widget,
               guint      depth)
{
  GtkWidget *child;

  g_string_append_printf (out, "%*s%s", depth * 2, "", G_OBJECT_TYPE_NAME (widget));
  describe_classes (out, widget);
  describe_details (out, widget);
  g_string_append_c (out, '\n');

  /* A code block's and an image's insides are theirs, tested apart. */
  if (CONFAB_IS_CODE_BLOCK (widget) || CONFAB_IS_MARKDOWN_IMAGE (widget) || GTK_IS_CHECK_BUTTON (widget))
    return;
  for (child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    describe_into (out, child, depth + 1);
}

/* The view's blocks, one line per widget, without the view itself. */
static char *
describe (GtkWidget *view)
{
  GString *out = g_string_new (NULL);
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    describe_into (out, child, 0);
  return g_string_free (out, FALSE);
}

static char *
render (const char *markdown)
{
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());
  char *description;

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), markdown);
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
  description = describe (view);
  g_object_unref (view);
  return description;
}


static gboolean
on_spin_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop (frames, idles, sockets) for @ms milliseconds. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_spin_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             guint      skip)
{
  GPtrArray *stack = g_ptr_array_new ();
  GtkWidget *found = NULL;

  g_ptr_array_add (stack, root);
  while (stack->len > 0 && found == NULL)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);
      GtkWidget *child;

      if (widget != root && G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && skip-- == 0)
        found = widget;
      for (child = gtk_widget_get_last_child (widget); child != NULL;
           child = gtk_widget_get_prev_sibling (child))
        g_ptr_array_add (stack, child);
    }
  g_ptr_array_unref (stack);
  return found;
}

static guint
widget_depth (GtkWidget *widget)
{
  GtkWidget *child;
  guint deepest = 0;

  for (child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      guint depth = widget_depth (child);

      deepest = MAX (deepest, depth);
    }
  return deepest + 1;
}

static GtkWidget *
new_view (const char *markdown)
{
  GtkWidget *view = g_object_ref_sink (confab_markdown_view_new ());

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), markdown);
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
  return view;
}

static GtkWidget *
show_in_window (GtkWidget *view,
                int        width)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 2000);
  gtk_widget_set_margin_start (view, 18);
  gtk_widget_set_margin_end (view, 18);
  gtk_widget_set_margin_top (view, 18);
  gtk_widget_set_margin_bottom (view, 18);
  gtk_widget_add_css_class (page, "background");
  gtk_box_append (GTK_BOX (page), view);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), page);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), width, -1);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (view) || gtk_widget_get_width (view) == 0)
    g_main_context_iteration (NULL, TRUE);
  spin (200);
  return window;
}

/* Each construct */

typedef struct
{
  const char *name;
  const char *markdown;
  const char *expected;
} ConstructCase;

static const ConstructCase construct_cases[] = {
  { "inline", "Hello *world*, **bold**, ~~gone~~ and `code`.",
    "GtkLabel.md-paragraph \"Hello <i>world</i>, <b>bold</b>, <s>gone</s> and <span font_family=\"monospace\" bgcolor=\"#808080\" bgalpha=\"18%\">code</span>.\"\n" },
  { "headings", "# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six",
    "GtkLabel.md-h1.md-heading \"One\"\n"
    "GtkLabel.md-h2.md-heading \"Two\"\n"
    "GtkLabel.md-h3.md-heading \"Three\"\n"
    "GtkLabel.md-h4.md-heading \"Four\"\n"
    "GtkLabel.md-h5.md-heading \"Five\"\n"
    "GtkLabel.md-h6.md-heading \"Six\"\n" },
  { "links", "[GNOME](https://www.gnome.org \"Title\"), <https://example.com/a?b=1&c=2>, "
             "www.example.org and me@example.com",
    "GtkLabel.link.md-paragraph \"<a href=\"https://www.gnome.org\" title=\"https://www.gnome.org\">GNOME</a>, <a href=\"https://example.com/a?b=1&amp;c=2\" title=\"https://example.com/a?b=1&amp;amp;c=2\">https://example.com/a?b=1&amp;c=2</a>, <a href=\"http://www.example.org\" title=\"http://www.example.org\">www.example.org</a> and <a href=\"mailto:me@example.com\" title=\"mailto:me@example.com\">me@example.com</a>\"\n" },
  { "lists", "- a\n- b\n  - c\n\n1. one\n2. two\n",
    "GtkBox.md-bulleted.md-list.md-tight.vertical\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"•\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"a\"\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"•\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"b\"\n"
    "      GtkBox.md-bulleted.md-list.md-tight.vertical\n"
    "        GtkGrid.horizontal.md-item\n"
    "          GtkLabel.md-marker @0,0 \"◦\"\n"
    "          GtkBox.md-item-content.vertical @1,0\n"
    "            GtkLabel.md-paragraph \"c\"\n"
    "GtkBox.md-list.md-ordered.md-tight.vertical\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"1.\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"one\"\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"2.\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"two\"\n" },
  { "ordered-start", "3. three\n4. four",
    "GtkBox.md-list.md-ordered.md-tight.vertical\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"3.\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"three\"\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"4.\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"four\"\n" },
  { "loose-list", "- a\n\n- b",
    "GtkBox.md-bulleted.md-list.md-loose.vertical\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"•\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"a\"\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkLabel.md-marker @0,0 \"•\"\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"b\"\n" },
  { "tasks", "- [x] done\n- [ ] todo",
    "GtkBox.md-bulleted.md-list.md-tight.vertical\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkCheckButton.md-task @0,0 [x]\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"done\"\n"
    "  GtkGrid.horizontal.md-item\n"
    "    GtkCheckButton.md-task @0,0 [ ]\n"
    "    GtkBox.md-item-content.vertical @1,0\n"
    "      GtkLabel.md-paragraph \"todo\"\n" },
  { "quote", "> quoted *text*\n> > nested",
    "GtkBox.md-quote.vertical\n"
    "  GtkLabel.md-paragraph \"quoted <i>text</i>\"\n"
    "  GtkBox.md-quote.vertical\n"
    "    GtkLabel.md-paragraph \"nested\"\n" },
  { "rule", "above\n\n---\n\nbelow",
    "GtkLabel.md-paragraph \"above\"\n"
    "GtkSeparator.horizontal.md-rule\n"
    "GtkLabel.md-paragraph \"below\"\n" },
  { "table", "| Name | 值 | Right |\n|:--|:-:|--:|\n| a | 1 | x |\n| **b** | 2 | y |",
    "GtkGrid.horizontal.md-table\n"
    "  GtkBox.md-cell.md-first-column.md-header.vertical @0,0\n"
    "    GtkLabel.md-paragraph \"Name\"\n"
    "  GtkBox.md-cell.md-header.vertical @1,0\n"
    "    GtkLabel.md-paragraph xalign=0.5 \"值\"\n"
    "  GtkBox.md-cell.md-header.vertical @2,0\n"
    "    GtkLabel.md-paragraph xalign=1.0 \"Right\"\n"
    "  GtkBox.md-cell.md-first-column.vertical @0,1\n"
    "    GtkLabel.md-paragraph \"a\"\n"
    "  GtkBox.md-cell.vertical @1,1\n"
    "    GtkLabel.md-paragraph xalign=0.5 \"1\"\n"
    "  GtkBox.md-cell.vertical @2,1\n"
    "    GtkLabel.md-paragraph xalign=1.0 \"x\"\n"
    "  GtkBox.md-cell.md-first-column.vertical @0,2\n"
    "    GtkLabel.md-paragraph \"<b>b</b>\"\n"
    "  GtkBox.md-cell.vertical @1,2\n"
    "    GtkLabel.md-paragraph xalign=0.5 \"2\"\n"
    "  GtkBox.md-cell.vertical @2,2\n"
    "    GtkLabel.md-paragraph xalign=1.0 \"y\"\n" },
  { "fenced-code", "```python\nprint('你好')\n```",
    "ConfabCodeBlock.md-code-block lang=python3 \"print('你好')\"\n" },
  { "indented-code", "    x = 1\n    y = 2",
    "ConfabCodeBlock.md-code-block lang=(null) \"x = 1\n"
    "y = 2\"\n" },
  { "breaks", "line one  \nline two\nline three",
    "GtkLabel.md-paragraph \"line one\n"
    "line two\n"
    "line three\"\n" },
  { "image", "See ![a cat](https://example.com/cat.png) here",
    "GtkLabel.md-paragraph \"See \"\n"
    "ConfabMarkdownImage.md-image alt=\"a cat\" uri=https://example.com/cat.png\n"
    "GtkLabel.md-paragraph \" here\"\n" },
  { "html", "<div>\n<b>x</b>\n</div>\n\ninline <em>html</em>",
    "GtkLabel.md-paragraph \"&lt;div&gt;\n"
    "&lt;b&gt;x&lt;/b&gt;\n"
    "&lt;/div&gt;\"\n"
    "GtkLabel.md-paragraph \"inline &lt;em&gt;html&lt;/em&gt;\"\n" },
  { "entities", "&copy; &amp; &#x4E2D; &#0; &bogus;",
    "GtkLabel.md-paragraph \"© &amp; 中 � &amp;bogus;\"\n" },
  { "chinese", "你好，世界！这是**加粗**的中文。",
    "GtkLabel.md-paragraph \"你好，世界！这是<b>加粗</b>的中文。\"\n" },
};

static void
test_construct (gconstpointer data)
{
  const ConstructCase *tc = data;
  g_autofree char *description = render (tc->markdown);

  if (g_getenv ("CONFAB_TEST_DUMP") != NULL)
    {
      g_printerr ("=== %s\n%s", tc->name, description);
      return;
    }
  g_assert_cmpstr (description, ==, tc->expected);
}


/* A reply using every construct, with Chinese text */
static const char sample[] =
  "# Confab 渲染示例\n"
  "\n"
  "这是一段**中文**文字，包含 *强调*、~~删除线~~ 和 `inline code`。"
  "A link to [GNOME](https://www.gnome.org) and <https://example.com>.\n"
  "Hard break here  \n"
  "and a soft break\nafter it.\n"
  "\n"
  "## 列表 Lists\n"
  "\n"
  "- 第一项 first\n"
  "- second with **bold**\n"
  "  - nested 嵌套\n"
  "    - deeper\n"
  "- [x] 已完成 done\n"
  "- [ ] 待办 todo\n"
  "\n"
  "1. one\n"
  "2. two\n"
  "\n"
  "   continued paragraph in item two\n"
  "3. three\n"
  "\n"
  "> 引用 A quote with *emphasis*\n"
  "> > and a nested quote\n"
  "\n"
  "---\n"
  "\n"
  "### Code 代码\n"
  "\n"
  "```python\n"
  "def greet(name):\n"
  "    # 问候\n"
  "    return f\"你好, {name}!\"\n"
  "\n"
  "print(greet(\"世界\"))\n"
  "```\n"
  "\n"
  "    indented code\n"
  "    block\n"
  "\n"
  "~~~\n"
  "tilde fence with ``` inside\n"
  "~~~\n"
  "\n"
  "#### Table 表格\n"
  "\n"
  "| 名称 Name | 数量 | Price |\n"
  "|:---|:---:|---:|\n"
  "| 苹果 apple | 3 | 1.20 |\n"
  "| **banana** | 12 | 0.5 |\n"
  "\n"
  "![an image 图片](https://example.com/cat.png \"cat\")\n"
  "\n"
  "<b>not bold</b> & <span foreground=\"red\">not red</span>\n"
  "\n"
  "##### Heading five\n"
  "###### Heading six\n"
  "Final paragraph without newline";

/* Streaming */

static void
stream (ConfabMarkdownView *view,
        const char         *markdown,
        GRand              *rand,
        guint               max_piece,
        guint               flush_every)
{
  gsize len = strlen (markdown);
  gsize pos = 0;
  guint n = 0;

  while (pos < len)
    {
      gsize size = g_rand_int_range (rand, 1, max_piece + 1);
      g_autofree char *piece = NULL;

      /* (MIN() would draw twice) */
      size = MIN (size, len - pos);
      piece = g_strndup (markdown + pos, size);

      confab_markdown_view_append (view, piece);
      if (flush_every > 0 && ++n % flush_every == 0)
        confab_markdown_view_flush (view);
      pos += size;
    }
  confab_markdown_view_flush (view);
}

static void
assert_streams_like_once (const char *markdown,
                          guint       max_piece,
                          guint       flush_every,
                          guint32     seed)
{
  g_autofree char *expected = render (markdown);
  g_autoptr(GtkWidget) view = g_object_ref_sink (confab_markdown_view_new ());
  GRand *rand = g_rand_new_with_seed (seed);
  g_autofree char *actual = NULL;

  stream (CONFAB_MARKDOWN_VIEW (view), markdown, rand, max_piece, flush_every);
  g_rand_free (rand);

  g_assert_cmpstr (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (view)), ==, markdown);
  actual = describe (view);
  g_assert_cmpstr (actual, ==, expected);
}

static void
test_streaming_equals_once (void)
{
  g_autofree char *once = render (sample);
  g_autoptr(GString) long_text = g_string_new (NULL);
  guint32 seed;

  /* The sample does render every construct. */
  g_assert_nonnull (strstr (once, "md-h1"));
  g_assert_nonnull (strstr (once, "md-h6"));
  g_assert_nonnull (strstr (once, "md-ordered"));
  g_assert_nonnull (strstr (once, "md-task @0,0 [x]"));
  g_assert_nonnull (strstr (once, "md-quote"));
  g_assert_nonnull (strstr (once, "md-rule"));
  g_assert_nonnull (strstr (once, "lang=python3"));
  g_assert_nonnull (strstr (once, "md-table"));
  g_assert_nonnull (strstr (once, "ConfabMarkdownImage"));
  g_assert_nonnull (strstr (once, "&lt;b&gt;not bold"));

  /* Paragraphs long enough to be cut into pieces */
  for (seed = 0; seed < 400; seed++)
    g_string_append_printf (long_text, "%s *word %u* [link](https://example.com/%u)%s",
                            seed % 3 == 0 ? "长句子" : "sentence", seed, seed,
                            seed % 50 == 49 ? "\n" : "");
  g_string_append (long_text, "\n\n> ");
  g_string_append_len (long_text, long_text->str, 3000);
  assert_streams_like_once (long_text->str, 20, 3, 1);
  assert_streams_like_once (long_text->str, 200, 1, 2);

  /* Every byte boundary, inside UTF-8 sequences and fence markers. */
  assert_streams_like_once (sample, 1, 1, 0);
  for (seed = 1; seed <= 8; seed++)
    {
      assert_streams_like_once (sample, 20, 1, seed);
      assert_streams_like_once (sample, 20, 7, seed);
    }
}

static void
test_streaming_set_text (void)
{
  g_autofree char *expected = render (sample);
  g_autoptr(GtkWidget) view = g_object_ref_sink (confab_markdown_view_new ());
  g_autofree char *actual = NULL;
  gsize len = strlen (sample);
  gsize end;

  /* The app may set the whole text so far on every delta instead. */
  for (end = 0; end <= len; end += 3)
    {
      g_autofree char *prefix = g_strndup (sample, end);

      confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), prefix);
      confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
    }
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), sample);
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
  actual = describe (view);
  g_assert_cmpstr (actual, ==, expected);

  /* A text that does not extend the last one replaces it. */
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), "*new*");
  g_clear_pointer (&actual, g_free);
  actual = describe (view);
  g_assert_cmpstr (actual, ==, "GtkLabel.md-paragraph \"<i>new</i>\"\n");
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), NULL);
  g_assert_null (gtk_widget_get_first_child (view));
}

static void
test_split_utf8 (void)
{
  g_autoptr(GtkWidget) view = g_object_ref_sink (confab_markdown_view_new ());
  ConfabMarkdownView *md = CONFAB_MARKDOWN_VIEW (view);
  g_autofree char *description = NULL;

  /* 你 is E4 BD A0: a delta may end after any of its bytes. */
  confab_markdown_view_append (md, "ok \xE4");
  confab_markdown_view_flush (md);
  g_assert_cmpstr (confab_markdown_view_get_text (md), ==, "ok ");
  confab_markdown_view_append (md, "\xBD");
  g_assert_cmpstr (confab_markdown_view_get_text (md), ==, "ok ");
  confab_markdown_view_append (md, "\xA0好 \xFF end");
  confab_markdown_view_flush (md);
  /* An invalid byte is shown as U+FFFD, nothing is dropped silently. */
  g_assert_cmpstr (confab_markdown_view_get_text (md), ==, "ok 你好 \xEF\xBF\xBD end");
  description = describe (view);
  g_assert_cmpstr (description, ==, "GtkLabel.md-paragraph \"ok 你好 \xEF\xBF\xBD end\"\n");
}

/* The parser on its own */

static void
dump_node (GString                  *out,
           const ConfabMarkdownNode *node,
           guint                     depth)
{
  g_string_append_printf (out, "%*s%d \"%s\" <%s>\n", (int) depth * 2, "",
                          node->kind, node->text ? node->text : "",
                          node->uri ? node->uri : "");
  for (guint i = 0; node->children != NULL && i < node->children->len; i++)
    dump_node (out, g_ptr_array_index (node->children, i), depth + 1);
}

static char *
parse_and_dump (const char *text,
                gsize       len)
{
  g_autoptr(ConfabMarkdownNode) root = confab_markdown_parse (text, len);
  GString *out = g_string_new (NULL);

  dump_node (out, root, 0);
  return g_string_free (out, FALSE);
}

/* md4c 0.4.8 reads the byte after the text it is given; streaming parses
 * a prefix of the reply, so that byte is the reply's next one. What the
 * prefix renders as must not depend on it (found by fuzzing). */
static void
test_parse_ignores_next_byte (void)
{
  static const char *const prefixes[] = {
    "see [a](http://example.com",
    "see [a](http://example.com ",
    "[a](b \"title\"",
    "| x |\n|---|\n| [a](b",
    "[link](",
  };
  static const char *const nexts[] = { ")", "\n)", " )", "\"", ">" };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *alone = parse_and_dump (prefixes[i], strlen (prefixes[i]));

      for (guint j = 0; j < G_N_ELEMENTS (nexts); j++)
        {
          g_autofree char *longer = g_strconcat (prefixes[i], nexts[j], " more", NULL);
          g_autofree char *dumped = parse_and_dump (longer, strlen (prefixes[i]));

          g_assert_cmpstr (dumped, ==, alone);
        }
    }
}

/* Incremental rendering */

static void
test_finished_blocks_kept (void)
{
  g_autoptr(GtkWidget) view = g_object_ref_sink (confab_markdown_view_new ());
  ConfabMarkdownView *md = CONFAB_MARKDOWN_VIEW (view);
  GtkWidget *finished[4];
  GtkWidget *growing = NULL;
  GtkWidget *code = NULL;
  GtkWidget *child;
  GRand *rand = g_rand_new_with_seed (42);
  const char *paragraph = "这一段在流式传输中不断增长，a paragraph that keeps growing while it streams in. ";
  guint i;

  confab_markdown_view_set_text (md, "# 标题 Title\n\nFirst paragraph.\n\n- one\n- two\n\n"
                                     "```c\nint x;\n```\n\n");
  confab_markdown_view_flush (md);
  for (i = 0, child = gtk_widget_get_first_child (view); i < 4; i++)
    {
      g_assert_nonnull (child);
      finished[i] = child;
      g_object_set_data (G_OBJECT (child), "finished", GUINT_TO_POINTER (i + 1));
      child = gtk_widget_get_next_sibling (child);
    }
  g_assert_null (child);

  /* A paragraph streams in: one label grows, the finished blocks stay. */
  for (i = 0; i < 6; i++)
    {
      gsize pos = 0;

      while (paragraph[pos] != '\0')
        {
          gsize size = g_rand_int_range (rand, 1, 8);
          g_autofree char *piece = NULL;
          guint j;

          size = MIN (size, strlen (paragraph + pos));
          piece = g_strndup (paragraph + pos, size);
          confab_markdown_view_append (md, piece);
          confab_markdown_view_flush (md);
          pos += size;

          for (j = 0, child = gtk_widget_get_first_child (view); j < 4; j++)
            {
              g_assert_true (child == finished[j]);
              g_assert_cmpuint (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "finished")), ==, j + 1);
              child = gtk_widget_get_next_sibling (child);
            }
          /* (nothing yet while the first character is incomplete) */
          if (child == NULL && growing == NULL)
            continue;
          g_assert_true (GTK_IS_LABEL (child));
          if (growing == NULL)
            growing = child;
          g_assert_true (child == growing);
          g_assert_null (gtk_widget_get_next_sibling (child));
        }
    }
  g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (growing))), >, 6 * strlen (paragraph) - 6);

  /* Then a code block: one ConfabCodeBlock gets line after line. */
  confab_markdown_view_append (md, "\n\n```python\n");
  confab_markdown_view_flush (md);
  for (i = 0; i < 40; i++)
    {
      g_autofree char *line = g_strdup_printf ("print(%u)\n", i);

      confab_markdown_view_append (md, line);
      confab_markdown_view_flush (md);
      child = gtk_widget_get_last_child (view);
      g_assert_true (CONFAB_IS_CODE_BLOCK (child));
      if (code == NULL)
        code = child;
      g_assert_true (child == code);
      g_assert_true (gtk_widget_get_first_child (view) == finished[0]);
    }
  g_assert_true (g_str_has_suffix (confab_code_block_get_code (CONFAB_CODE_BLOCK (code)), "print(39)"));
  g_rand_free (rand);
}

static gboolean
tick_seen (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_updates_per_frame (void)
{
  GtkWidget *view = confab_markdown_view_new ();
  GtkWidget *window;
  g_autofree char *before = NULL;
  g_autofree char *during = NULL;
  g_autofree char *after = NULL;
  gboolean ticked = FALSE;
  guint i;

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), "Hello");
  window = show_in_window (view, 500);
  before = describe (view);
  g_assert_cmpstr (before, ==, "GtkLabel.md-paragraph \"Hello\"\n");

  /* Fifty deltas between two frames: nothing is laid out until the next
   * frame, then everything at once. */
  for (i = 0; i < 50; i++)
    confab_markdown_view_append (CONFAB_MARKDOWN_VIEW (view), " world");
  during = describe (view);
  g_assert_cmpstr (during, ==, before);

  gtk_widget_add_tick_callback (view, tick_seen, &ticked, NULL);
  while (!ticked)
    g_main_context_iteration (NULL, TRUE);
  after = describe (view);
  g_assert_nonnull (strstr (after, "Hello world world"));
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (gtk_widget_get_first_child (view))),
                                   " world world"));
  g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (gtk_widget_get_first_child (view)))),
                    ==, strlen ("Hello") + 50 * strlen (" world"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Hostile input */

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget))
    {
      g_auto(GStrv) pieces = g_strsplit (gtk_label_get_text (GTK_LABEL (widget)), "\u200B", -1);
      g_autofree char *text = g_strjoinv ("", pieces);

      /* (without the zero-width spaces added to break long runs) */
      g_string_append_printf (out, "%s\n", text);
    }
  if (CONFAB_IS_CODE_BLOCK (widget))
    {
      g_autofree char *shown = confab_code_block_dup_displayed_code (CONFAB_CODE_BLOCK (widget));

      g_string_append_printf (out, "%s\n", shown);
      return;
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static void
assert_plain_layout (GtkLabel *label)
{
  PangoAttrList *attrs = pango_layout_get_attributes (gtk_label_get_layout (label));
  GSList *list;
  GSList *l;

  if (attrs == NULL)
    return;
  list = pango_attr_list_get_attributes (attrs);
  for (l = list; l != NULL; l = l->next)
    {
      PangoAttribute *attr = l->data;

      g_assert_cmpint (attr->klass->type, !=, PANGO_ATTR_WEIGHT);
      g_assert_cmpint (attr->klass->type, !=, PANGO_ATTR_FOREGROUND);
      g_assert_cmpint (attr->klass->type, !=, PANGO_ATTR_SIZE);
      g_assert_cmpint (attr->klass->type, !=, PANGO_ATTR_SCALE);
      g_assert_cmpint (attr->klass->type, !=, PANGO_ATTR_UNDERLINE);
      g_assert_cmpint (attr->klass->type, !=, PANGO_ATTR_STYLE);
    }
  g_slist_free_full (list, (GDestroyNotify) pango_attribute_destroy);
}

static void
test_markup_is_literal (void)
{
  const char *markdown =
    "<b>bold?</b> <span foreground=\"red\" size=\"xx-large\">red?</span> <i>open\n\n"
    "# <big>big</big> &lt;u&gt;\n\n"
    "\x1b[31mred\x1b[0m and \x07" "bell\n\n"
    "abc\xE2\x80\xAE" "def\xE2\x81\xA6" "ghi\xE2\x81\xA9 zero\xE2\x80\x8Bwidth\n\n"
    "| <u>cell</u> |\n|---|\n| &lt;s&gt; |\n\n"
    "- <tt>item</tt>\n\n"
    "`<b>code</b>`\n\n"
    "[<b>x</b>](https://example.com/\"onclick=\"x) ![<b>alt</b>](https://example.com/i.png)\n\n"
    "```\n<b>in code</b> \xE2\x80\xAE rtl\n```";
  g_autoptr(GtkWidget) view = new_view (markdown);
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *first = gtk_widget_get_first_child (view);
  GtkWidget *image;

  collect_text (view, text);
  g_assert_nonnull (strstr (text->str, "<b>bold?</b> <span foreground=\"red\" size=\"xx-large\">red?</span> <i>open"));
  g_assert_nonnull (strstr (text->str, "<big>big</big> <u>"));
  /* ANSI and other control characters show as symbols */
  g_assert_nonnull (strstr (text->str, "␛[31mred␛[0m and ␇bell"));
  /* Reordering characters are dropped from prose, zero-width space kept */
  g_assert_nonnull (strstr (text->str, "abcdefghi zerowidth"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (find_widget (view, GTK_TYPE_LABEL, 3))),
                            "zero\xE2\x80\x8Bwidth"));
  g_assert_nonnull (strstr (text->str, "<u>cell</u>"));
  g_assert_nonnull (strstr (text->str, "<s>"));
  g_assert_nonnull (strstr (text->str, "<tt>item</tt>"));
  g_assert_nonnull (strstr (text->str, "<b>code</b>"));
  g_assert_nonnull (strstr (text->str, "<b>x</b>"));
  /* and made visible in code */
  g_assert_nonnull (strstr (text->str, "<b>in code</b> <U+202E> rtl"));

  image = find_widget (view, CONFAB_TYPE_MARKDOWN_IMAGE, 0);
  g_assert_cmpstr (confab_markdown_image_get_alt (CONFAB_MARKDOWN_IMAGE (image)), ==, "<b>alt</b>");

  /* No style came from the model's tags. */
  assert_plain_layout (GTK_LABEL (first));
  assert_plain_layout (GTK_LABEL (gtk_widget_get_next_sibling (first)));
  assert_plain_layout (GTK_LABEL (gtk_widget_get_next_sibling (gtk_widget_get_next_sibling (first))));
}

typedef struct
{
  GPtrArray *uris;
} Opened;

static void
on_open_link (ConfabMarkdownView *view,
              const char         *uri,
              GPtrArray          *uris)
{
  g_ptr_array_add (uris, g_strdup (uri));
}

static gboolean
activate_link (GtkWidget  *label,
               const char *uri)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (label, "activate-link", uri, &handled);
  return handled;
}

static void
test_link_schemes (void)
{
  const char *markdown =
    "[web](https://example.com/a) [plain](http://example.com/b) [mail](mailto:someone@example.com) "
    "[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) [file](file:///etc/passwd) "
    "[smb](smb://evil/share) [custom](confab://install?cmd=rm) [data](data:text/html;base64,PHNjcmlwdD4=) "
    "[rel](../secret) <ms-settings:privacy> [nohost](http:///x)\n\n"
    "[bidi](https://example.com/\xE2\x80\xAEgnp.exe) [zw](https://exa\xE2\x80\x8Bmple.com/)";
  g_autoptr(GtkWidget) view = new_view (markdown);
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *label = gtk_widget_get_first_child (view);
  GtkWidget *second = gtk_widget_get_next_sibling (label);
  const char *markup = gtk_label_get_label (GTK_LABEL (label));
  const char *refused[] = {
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "file:///etc/passwd", "smb://evil/share",
    "confab://install?cmd=rm", "data:text/html;base64,PHNjcmlwdD4=", "../secret",
    "ms-settings:privacy", "http:///x", "vbscript:msgbox(1)", "ssh://host", "",
  };
  guint i;

  g_signal_connect (view, "open-link", G_CALLBACK (on_open_link), uris);

  /* Only the allowed schemes become links at all. */
  g_assert_cmpstr (markup, ==,
                   "<a href=\"https://example.com/a\" title=\"https://example.com/a\">web</a> "
                   "<a href=\"http://example.com/b\" title=\"http://example.com/b\">plain</a> "
                   "<a href=\"mailto:someone@example.com\" title=\"mailto:someone@example.com\">mail</a> "
                   "js JS file smb custom data rel ms-settings:privacy nohost");

  g_assert_true (activate_link (label, "https://example.com/a"));
  g_assert_true (activate_link (label, "http://example.com/b"));
  g_assert_true (activate_link (label, "mailto:someone@example.com"));
  g_assert_cmpuint (uris->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (uris, 0), ==, "https://example.com/a");
  g_assert_cmpstr (g_ptr_array_index (uris, 1), ==, "http://example.com/b");
  g_assert_cmpstr (g_ptr_array_index (uris, 2), ==, "mailto:someone@example.com");

  /* Whatever a label asks to open, other schemes are refused, and the
   * signal is handled so GTK does not launch them itself. */
  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    g_assert_true (activate_link (label, refused[i]));
  g_assert_cmpuint (uris->len, ==, 3);

  /* Invisible characters in a target are shown and opened encoded. */
  markup = gtk_label_get_label (GTK_LABEL (second));
  g_assert_nonnull (strstr (markup, "href=\"https://example.com/%E2%80%AEgnp.exe\""));
  g_assert_nonnull (strstr (markup, "title=\"https://example.com/%E2%80%AEgnp.exe\""));
  g_assert_nonnull (strstr (markup, "href=\"https://exa%E2%80%8Bmple.com/\""));
  g_assert_true (activate_link (second, "https://example.com/\xE2\x80\xAEgnp.exe"));
  g_assert_cmpstr (g_ptr_array_index (uris, 3), ==, "https://example.com/%E2%80%AEgnp.exe");
}

typedef struct
{
  guint connections;
} Server;

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  ((Server *) user_data)->connections++;
  return FALSE;
}

static void
on_load_image (ConfabMarkdownView *view,
               const char         *uri,
               GPtrArray          *uris)
{
  g_ptr_array_add (uris, g_strdup (uri));
}

static void
test_images_not_fetched (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) requested = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *leak = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) pixels = NULL;
  static const guchar rgba[16] = { 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 255 };
  Server server = { 0 };
  GtkWidget *view = confab_markdown_view_new ();
  GtkWidget *window;
  GtkWidget *image;
  GtkWidget *local;
  GtkWidget *button;
  guint16 port;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &server);
  g_socket_service_start (service);

  leak = g_strdup_printf ("http://127.0.0.1:%u/leak?d=secret", port);
  markdown = g_strdup_printf ("Summary ![x](%s)\n\n![local](file:///etc/passwd)\n\n"
                              "<img src=\"%s\">", leak, leak);
  g_signal_connect (view, "load-image", G_CALLBACK (on_load_image), requested);
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), markdown);
  window = show_in_window (view, 600);
  spin (300);

  image = find_widget (view, CONFAB_TYPE_MARKDOWN_IMAGE, 0);
  local = find_widget (view, CONFAB_TYPE_MARKDOWN_IMAGE, 1);
  g_assert_nonnull (image);
  g_assert_cmpstr (confab_markdown_image_get_uri (CONFAB_MARKDOWN_IMAGE (image)), ==, leak);
  g_assert_cmpstr (confab_markdown_image_get_alt (CONFAB_MARKDOWN_IMAGE (image)), ==, "x");
  g_assert_null (find_widget (view, CONFAB_TYPE_MARKDOWN_IMAGE, 2));
  g_assert_false (gtk_widget_get_visible (find_widget (local, GTK_TYPE_BUTTON, 0)));

  /* Shown is not fetched; and clicking Load Image only asks the app. */
  g_assert_cmpuint (server.connections, ==, 0);
  g_assert_cmpuint (requested->len, ==, 0);
  button = find_widget (image, GTK_TYPE_BUTTON, 0);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Load Image");
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (requested->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (requested, 0), ==, leak);
  spin (300);
  g_assert_cmpuint (server.connections, ==, 0);

  /* With remote images allowed, the app is asked once per web image. */
  confab_markdown_view_set_remote_images (CONFAB_MARKDOWN_VIEW (view), TRUE);
  g_assert_cmpuint (requested->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (requested, 1), ==, leak);
  confab_markdown_view_append (CONFAB_MARKDOWN_VIEW (view), "\n\nmore text");
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
  g_assert_cmpuint (requested->len, ==, 2);
  spin (300);
  g_assert_cmpuint (server.connections, ==, 0);

  /* What the app loaded replaces the placeholder. */
  pixels = g_bytes_new_static (rgba, sizeof rgba);
  texture = gdk_memory_texture_new (2, 2, GDK_MEMORY_R8G8B8A8, pixels, 8);
  confab_markdown_view_set_image (CONFAB_MARKDOWN_VIEW (view), leak, GDK_PAINTABLE (texture));
  g_assert_nonnull (find_widget (image, GTK_TYPE_PICTURE, 0));
  g_assert_null (find_widget (local, GTK_TYPE_PICTURE, 0));

  g_socket_service_stop (service);
  gtk_window_destroy (GTK_WINDOW (window));
}

static char *
repeat (const char *unit,
        guint       times,
        const char *middle,
        const char *closing)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < times; i++)
    g_string_append (out, unit);
  g_string_append (out, middle);
  for (i = 0; closing != NULL && i < times; i++)
    g_string_append (out, closing);
  return g_string_free (out, FALSE);
}

static void
assert_deep_input_renders (const char *markdown)
{
  g_autoptr(GtkWidget) view = new_view (markdown);
  g_autoptr(GString) text = g_string_new (NULL);

  /* list box, item, content box per level, a few more for the text */
  g_assert_cmpuint (widget_depth (view), <=, 3 * 12 + 4);
  collect_text (view, text);
  g_assert_nonnull (strstr (text->str, "deep"));
}

static void
test_deep_nesting (void)
{
  g_autofree char *lists = repeat ("- ", 10000, "deep", NULL);
  g_autofree char *ordered = repeat ("1. ", 10000, "deep", NULL);
  g_autofree char *quotes = repeat ("> ", 10000, "deep", NULL);
  g_autofree char *mixed = repeat ("> - ", 5000, "deep", NULL);
  g_autofree char *emphasis = repeat ("*", 10000, " deep ", "*");
  g_autofree char *brackets = repeat ("[", 10000, " deep ", "](https://example.com)");
  g_autoptr(GString) indented = g_string_new (NULL);
  GtkWidget *view;
  GtkWidget *window;
  guint i;

  for (i = 0; i < 3000; i++)
    g_string_append_printf (indented, "%*s- deep %u\n", i * 2, "", i);

  assert_deep_input_renders (lists);
  assert_deep_input_renders (ordered);
  assert_deep_input_renders (quotes);
  assert_deep_input_renders (mixed);
  assert_deep_input_renders (emphasis);
  assert_deep_input_renders (brackets);
  assert_deep_input_renders (indented->str);

  /* Laid out and drawn in a window, and streamed. */
  view = confab_markdown_view_new ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), lists);
  window = show_in_window (view, 500);
  g_assert_cmpint (gtk_widget_get_height (view), >, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  assert_streams_like_once (lists, 20, 1, 7);
}

static char *
text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start;
  GtkTextIter end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* A reply too long to format (hundreds of KB) is shown as plain text,
 * all of it, with a note; streamed or set at once, and with Chinese text
 * cut between pieces. */
static void
test_too_long_is_plain (void)
{
  g_autoptr(GString) text = g_string_new ("# Not a heading here\n\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GtkWidget) once = NULL;
  g_autoptr(GtkWidget) streamed = NULL;
  g_autoptr(GString) labels = g_string_new (NULL);
  g_autofree char *shown = NULL;
  GtkWidget *text_view;
  guint i;

  for (i = 0; i < 48000; i++)
    g_string_append (text, i % 3 == 0 ? "中文的字 " : "**word** ");
  g_assert_cmpuint (text->len, >, 300 * 1024);

  once = new_view (text->str);
  text_view = find_widget (once, GTK_TYPE_TEXT_VIEW, 0);
  g_assert_nonnull (text_view);
  shown = text_view_text (GTK_TEXT_VIEW (text_view));
  g_assert_cmpstr (shown, ==, text->str);
  collect_text (once, labels);
  g_assert_nonnull (strstr (labels->str, "too long to format"));

  streamed = g_object_ref_sink (confab_markdown_view_new ());
  stream (CONFAB_MARKDOWN_VIEW (streamed), text->str, rand, 4096, 3);
  text_view = find_widget (streamed, GTK_TYPE_TEXT_VIEW, 0);
  g_assert_nonnull (text_view);
  g_clear_pointer (&shown, g_free);
  shown = text_view_text (GTK_TEXT_VIEW (text_view));
  g_assert_cmpstr (shown, ==, text->str);
  g_assert_cmpstr (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (streamed)), ==, text->str);
}

static char *
label_text_without_breaks (GtkWidget *label)
{
  g_auto(GStrv) pieces = g_strsplit (gtk_label_get_text (GTK_LABEL (label)), "\u200B", -1);

  return g_strjoinv ("", pieces);
}

static char *read_clipboard (GtkWidget *widget);

static void
test_long_lines_wrap (void)
{
  g_autofree char *word = repeat ("a", 20000, "", NULL);
  g_autofree char *url = repeat ("x", 5000, "", NULL);
  g_autofree char *markdown = g_strdup_printf ("%s\n\nhttps://example.com/%s\n\n```\n%s\n```",
                                               word, url, word);
  g_autoptr(GString) joined = g_string_new (NULL);
  g_autofree char *copied = NULL;
  GtkWidget *view = confab_markdown_view_new ();
  GtkWidget *window;
  GtkWidget *group;
  GtkWidget *label;
  GtkWidget *code;
  GtkAdjustment *adjustment;
  int line_height;
  guint pieces = 0;
  gint64 start;

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), "x");
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (view));
  window = show_in_window (view, 400);
  line_height = gtk_widget_get_height (gtk_widget_get_first_child (view));

  /* Replacing the text removes a focused label: no stale focus remains. */
  g_assert_true (gtk_widget_grab_focus (gtk_widget_get_first_child (view)));
  start = g_get_monotonic_time ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), markdown);
  code = gtk_widget_get_last_child (view);
  while (gtk_widget_get_height (code) == 0)
    g_main_context_iteration (NULL, TRUE);
  /* Pango wraps a 20,000-character word in quadratic time; unmitigated
   * this took over a minute. */
  g_test_message ("laid out in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, SLOWDOWN * 15 * G_USEC_PER_SEC);

  /* The word is wrapped in pieces that together hold all of it. */
  group = gtk_widget_get_first_child (view);
  g_assert_true (gtk_widget_has_css_class (group, "md-paragraph-group"));
  g_assert_cmpint (gtk_widget_get_width (view), <=, 400);
  g_assert_cmpint (gtk_widget_get_width (group), <=, gtk_widget_get_width (view));
  g_assert_cmpint (gtk_widget_get_height (group), >, 20 * line_height);
  for (label = gtk_widget_get_first_child (group); label != NULL; label = gtk_widget_get_next_sibling (label))
    {
      g_autofree char *text = label_text_without_breaks (label);

      g_assert_cmpint (gtk_label_get_wrap_mode (GTK_LABEL (label)), ==, PANGO_WRAP_WORD_CHAR);
      g_assert_cmpint (gtk_widget_get_width (label), <=, gtk_widget_get_width (view));
      g_string_append (joined, text);
      pieces++;
    }
  g_assert_cmpuint (pieces, >=, 10);
  g_assert_cmpstr (joined->str, ==, word);

  /* Copying gives the word without the zero-width spaces */
  label = gtk_widget_get_first_child (group);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "\u200B"));
  gtk_label_select_region (GTK_LABEL (label), 0, 600);
  g_signal_emit_by_name (label, "copy-clipboard");
  copied = read_clipboard (label);
  g_assert_cmpuint (strlen (copied), >=, 590);
  g_assert_null (strstr (copied, "\u200B"));
  g_assert_true (strspn (copied, "a") == strlen (copied));

  /* Each piece of the long link is still the link */
  group = gtk_widget_get_next_sibling (gtk_widget_get_first_child (view));
  for (label = gtk_widget_get_first_child (group); label != NULL; label = gtk_widget_get_next_sibling (label))
    g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (label)), "<a href=\"https://example.com/xxx"));

  /* GtkTextView lays out its text when it is on screen, in idle time,
   * so the code block reaches its height over a few frames. */
  g_assert_true (CONFAB_IS_CODE_BLOCK (code));
  adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW)));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  start = g_get_monotonic_time ();
  while (gtk_widget_get_height (code) <= 20 * line_height
         && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gtk_widget_get_width (code), <=, gtk_widget_get_width (view));
  g_assert_cmpint (gtk_widget_get_height (code), >, 20 * line_height);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Code blocks */

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (*text == NULL)
    *text = g_strdup (error->message);
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_clipboard_text, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}

static gboolean
redraw_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

/* The first block of a language is highlighted once the window stops
 * drawing (compiling a language takes a frame of 30-80 ms), and shows its
 * code meanwhile. A language no other test uses. */
static void
test_code_highlight_waits_for_quiet (void)
{
  GtkWidget *view = new_view ("```haskell\nmain = pure ()\n```\n");
  GtkWidget *window = show_in_window (view, 600);
  GtkWidget *block = find_widget (view, CONFAB_TYPE_CODE_BLOCK, 0);
  GtkWidget *source_view = find_widget (block, GTK_SOURCE_TYPE_VIEW, 0);
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view)));
  g_autofree char *shown = NULL;
  guint tick;
  gint64 deadline;

  g_assert_cmpstr (confab_code_block_get_language_id (CONFAB_CODE_BLOCK (block)), ==, "haskell");
  g_object_get (buffer, "text", &shown, NULL);
  g_assert_cmpstr (shown, ==, "main = pure ()");

  /* Frames every frame, as while scrolling: not yet. show_in_window()
   * waited 200 ms, so drawing must have kept it waiting already. */
  tick = gtk_widget_add_tick_callback (view, redraw_tick_cb, NULL, NULL);
  spin (600);
  g_assert_null (gtk_source_buffer_get_language (buffer));

  /* Quiet: highlighted. */
  gtk_widget_remove_tick_callback (view, tick);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (gtk_source_buffer_get_language (buffer) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (gtk_source_buffer_get_language (buffer));
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (buffer)), ==, "haskell");

  /* Compiled now: the next block of it is highlighted at once. */
  {
    g_autoptr(GtkWidget) again = g_object_ref_sink (confab_code_block_new ("haskell"));
    GtkWidget *again_view = find_widget (again, GTK_SOURCE_TYPE_VIEW, 0);

    g_assert_nonnull (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (
      gtk_text_view_get_buffer (GTK_TEXT_VIEW (again_view)))));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (view);
}

static void
test_code_blocks (void)
{
  const char *markdown =
    "```py\nprint('你好')\n```\n\n"
    "```rs\nfn main() {}\n```\n\n"
    "```foobar\nwhatever\n```\n\n"
    "```\nif (a) { /* \xE2\x80\xAE } \xE2\x81\xA6 */ }\n```";
  GtkWidget *view = new_view (markdown);
  /* The Copy button is sensitive once its action resolves in a window. */
  GtkWidget *window = show_in_window (view, 600);
  GtkWidget *python = find_widget (view, CONFAB_TYPE_CODE_BLOCK, 0);
  GtkWidget *rust = find_widget (view, CONFAB_TYPE_CODE_BLOCK, 1);
  GtkWidget *unknown = find_widget (view, CONFAB_TYPE_CODE_BLOCK, 2);
  GtkWidget *bidi = find_widget (view, CONFAB_TYPE_CODE_BLOCK, 3);
  GtkWidget *source_view = find_widget (python, GTK_SOURCE_TYPE_VIEW, 0);
  GtkWidget *button = find_widget (python, GTK_TYPE_BUTTON, 0);
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view)));
  g_autofree char *copied = NULL;
  g_autofree char *shown = NULL;

  g_assert_cmpstr (confab_code_block_get_language_id (CONFAB_CODE_BLOCK (python)), ==, "python3");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (python, GTK_TYPE_LABEL, 0))), ==, "Python");
  g_assert_cmpstr (confab_code_block_get_language_id (CONFAB_CODE_BLOCK (rust)), ==, "rust");
  g_assert_null (confab_code_block_get_language_id (CONFAB_CODE_BLOCK (unknown)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (unknown, GTK_TYPE_LABEL, 0))), ==, "foobar");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (bidi, GTK_TYPE_LABEL, 0))), ==, "Code");
  g_assert_true (gtk_source_buffer_get_highlight_syntax (buffer));
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (source_view)));

  /* Accessible names */
  gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy");
  gtk_test_accessible_assert_property (source_view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Python code block");

  /* Copy puts the code, as written, on the clipboard */
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "object-select-symbolic");
  copied = read_clipboard (python);
  g_assert_cmpstr (copied, ==, "print('你好')");
  g_clear_pointer (&copied, g_free);
  gtk_widget_activate_action (bidi, "code-block.copy", NULL);
  copied = read_clipboard (bidi);
  g_assert_cmpstr (copied, ==, "if (a) { /* \xE2\x80\xAE } \xE2\x81\xA6 */ }");
  shown = confab_code_block_dup_displayed_code (CONFAB_CODE_BLOCK (bidi));
  g_assert_cmpstr (shown, ==, "if (a) { /* <U+202E> } <U+2066> */ }");

  /* The style scheme follows the light or dark style */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, "Adwaita-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, "Adwaita");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (view);
}

/* Accessibility and text size */

static void
test_accessible (void)
{
  g_autoptr(GtkWidget) view = new_view ("## 小标题\n\nBody text 正文\n\n![a cat](https://example.com/c.png)");
  GtkWidget *heading = gtk_widget_get_first_child (view);
  GtkWidget *body = gtk_widget_get_next_sibling (heading);
  GtkWidget *image = gtk_widget_get_next_sibling (body);

  gtk_test_accessible_assert_role (heading, GTK_ACCESSIBLE_ROLE_HEADING);
  gtk_test_accessible_assert_property (heading, GTK_ACCESSIBLE_PROPERTY_LEVEL, 2);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (heading)), ==, "小标题");
  gtk_test_accessible_assert_role (body, GTK_ACCESSIBLE_ROLE_LABEL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (body)), ==, "Body text 正文");
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (body)));
  gtk_test_accessible_assert_property (image, GTK_ACCESSIBLE_PROPERTY_LABEL, "Image: a cat");
}

static void
test_text_scale (void)
{
  GtkWidget *view = confab_markdown_view_new ();
  GtkWidget *window;
  int normal;
  int large;

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), "Some text");
  window = show_in_window (view, 500);
  normal = gtk_widget_get_height (gtk_widget_get_first_child (view));

  g_object_set (view, "text-scale", 1.5, NULL);
  g_assert_true (gtk_widget_has_css_class (view, "md-scale-150"));
  spin (100);
  large = gtk_widget_get_height (gtk_widget_get_first_child (view));
  g_assert_cmpint (large, >, normal * 1.3);

  confab_markdown_view_set_text_scale (CONFAB_MARKDOWN_VIEW (view), 1.0);
  g_assert_false (gtk_widget_has_css_class (view, "md-scale-150"));
  confab_markdown_view_set_text_scale (CONFAB_MARKDOWN_VIEW (view), 9.0);
  g_assert_cmpfloat (confab_markdown_view_get_text_scale (CONFAB_MARKDOWN_VIEW (view)), ==, 3.0);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Looking at it */

/* Saves the page holding @view, at its full height, as a PNG in the
 * build directory. */
static void
save_screenshot (GtkWidget  *view,
                 const char *name)
{
  GtkWidget *page = gtk_widget_get_parent (view);
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (view));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (page);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  int width = gtk_widget_get_width (page);
  int height = gtk_widget_get_height (page);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_autoptr(GdkPaintable) image = NULL;

  /* the paintable itself only follows the widget from its next frame */
  image = gdk_paintable_get_current_image (paintable);
  gdk_paintable_snapshot (image, snapshot, width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%dx%d)", path, width, height);
}

static void
test_screenshot (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWidget *view = confab_markdown_view_new ();
  GtkWidget *window;

  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (view), sample);
  window = show_in_window (view, 640);
  spin (500);
  /* (a selectable label that had the focus keeps its selection) */
  if (GTK_IS_LABEL (gtk_root_get_focus (GTK_ROOT (window))))
    gtk_label_select_region (GTK_LABEL (gtk_root_get_focus (GTK_ROOT (window))), 0, 0);
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  spin (200);
  save_screenshot (view, "markdown-sample.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  spin (500);
  save_screenshot (view, "markdown-sample-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Cost of streaming */

static void
test_streaming_cost (void)
{
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autoptr(GtkWidget) once = g_object_ref_sink (confab_markdown_view_new ());
  g_autoptr(GtkWidget) streamed = g_object_ref_sink (confab_markdown_view_new ());
  GRand *rand = g_rand_new_with_seed (3);
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  gint64 start;
  gint64 once_us;
  gint64 streamed_us;

  while (reply->len < 100 * 1024)
    g_string_append_printf (reply, "%s\n\n", sample);

  start = g_get_monotonic_time ();
  confab_markdown_view_set_text (CONFAB_MARKDOWN_VIEW (once), reply->str);
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (once));
  once_us = g_get_monotonic_time () - start;

  /* 20-byte deltas, a relayout after every fourth: 60 frames a second
   * of a fast (240 deltas a second) stream. */
  start = g_get_monotonic_time ();
  stream (CONFAB_MARKDOWN_VIEW (streamed), reply->str, rand, 20, 4);
  streamed_us = g_get_monotonic_time () - start;
  g_rand_free (rand);

  g_test_message ("100 KB reply: at once %.1f ms, streamed in 20-byte deltas %.1f ms (%.2fx)",
                  once_us / 1000.0, streamed_us / 1000.0, (double) streamed_us / once_us);
  expected = describe (once);
  actual = describe (streamed);
  g_assert_cmpstr (actual, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  for (i = 0; i < G_N_ELEMENTS (construct_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/markdown/construct/%s", construct_cases[i].name);

      g_test_add_data_func (path, &construct_cases[i], test_construct);
    }

  g_test_add_func ("/markdown/streaming/equals-once", test_streaming_equals_once);
  g_test_add_func ("/markdown/streaming/set-text", test_streaming_set_text);
  g_test_add_func ("/markdown/streaming/split-utf8", test_split_utf8);
  g_test_add_func ("/markdown/parser/next-byte", test_parse_ignores_next_byte);
  g_test_add_func ("/markdown/streaming/finished-blocks-kept", test_finished_blocks_kept);
  g_test_add_func ("/markdown/streaming/per-frame", test_updates_per_frame);
  g_test_add_func ("/markdown/streaming/cost", test_streaming_cost);
  g_test_add_func ("/markdown/hostile/markup", test_markup_is_literal);
  g_test_add_func ("/markdown/hostile/links", test_link_schemes);
  g_test_add_func ("/markdown/hostile/images", test_images_not_fetched);
  g_test_add_func ("/markdown/hostile/deep-nesting", test_deep_nesting);
  g_test_add_func ("/markdown/hostile/long-lines", test_long_lines_wrap);
  g_test_add_func ("/markdown/hostile/too-long", test_too_long_is_plain);
  g_test_add_func ("/markdown/code-blocks", test_code_blocks);
  g_test_add_func ("/markdown/code-highlight-waits-for-quiet", test_code_highlight_waits_for_quiet);
  g_test_add_func ("/markdown/accessible", test_accessible);
  g_test_add_func ("/markdown/text-scale", test_text_scale);
  g_test_add_func ("/markdown/screenshot", test_screenshot);

  return g_test_run ();
}
