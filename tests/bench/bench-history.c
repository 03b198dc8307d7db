/* bench-history.c: the history at the size of a heavy user
 *
 * Generates 10,000 conversations with 200,000 messages of mixed English
 * and Chinese text (one conversation of 2,000 messages among them), then
 * measures, through the same API the app and confab-cli use: listing the
 * conversations, full-text search (p50/p95), opening the largest
 * conversation, and the size of the database. --quick runs the same at a
 * fiftieth of the size, as a test that the benchmark still works.
 *
 * Usage: bench-history [--quick] [--dir DIR] [--keep]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "confab-history-store.h"

#define SEED 20240229

static const char * const english[] = {
  "the", "model", "answer", "question", "please", "explain", "how", "to", "configure", "proxy",
  "server", "network", "timeout", "python", "function", "returns", "error", "because", "value",
  "database", "index", "query", "performance", "memory", "thread", "async", "callback", "linux",
  "gnome", "window", "button", "example", "recipe", "travel", "weather", "tomorrow", "budget",
  "translate", "summary", "meeting", "notes", "project", "deadline", "release", "version",
  "install", "package", "compile", "warning", "library", "document", "paragraph", "sentence",
  "grammar", "history", "science", "physics", "energy", "market", "stock", "price", "account",
  "password", "security", "encryption", "certificate", "browser", "cache", "latency", "stream",
};

static const char * const chinese[] = {
  "你好", "请问", "怎么", "配置", "代理服务器", "网络连接", "超时了", "这个函数", "返回错误",
  "数据库", "索引", "查询很慢", "内存泄漏", "线程安全", "异步回调", "桌面环境", "按钮", "例子",
  "北京烤鸭", "上海小笼包", "旅行计划", "明天天气", "预算", "翻译一下", "总结", "会议纪要",
  "项目进度", "截止日期", "发布版本", "安装软件包", "编译警告", "文档", "段落", "语法",
  "历史", "科学", "物理", "能源", "股票市场", "价格", "账户", "密码", "安全", "加密", "证书",
  "浏览器", "缓存", "延迟", "流式输出", "深度求索", "通义千问", "智谱清言", "月之暗面",
  "。", "，", "？", "！",
};

/* Words that each occur in RARE_COUNT messages, whatever the size. */
#define RARE_COUNT 20
static const char * const rare[] = {
  "kubernetes", "photosynthesis", "sourdough", "mortgage", "violoncello", "archipelago",
  "cryptocurrency", "hyperparameter", "ethnography", "thermodynamics", "origami", "espresso",
  "marathon", "telescope", "volcano", "saxophone", "mitochondria", "blockchain", "meditation",
  "calligraphy",
  "光合作用", "酸面包", "房贷利率", "大提琴", "群岛旅游", "超参数调优", "民族志", "热力学定律",
  "折纸艺术", "意式浓缩", "马拉松训练", "天文望远镜", "火山喷发", "萨克斯风", "线粒体",
  "区块链技术", "冥想练习", "书法作品", "红烧狮子头", "兵马俑",
};

typedef enum
{
  QUERY_COMMON,     /* in 10–30 % of all messages: the worst case for ranking */
  QUERY_RARE,       /* in a few dozen messages, as most real searches are */
  QUERY_SHORT,      /* two characters: the LIKE scan */
  QUERY_NONE,       /* in no message */
  N_QUERY_KINDS
} QueryKind;

static const char * const kind_names[] = {
  "common words (FTS5)", "rare words (FTS5)", "2 characters (LIKE)", "no match (FTS5)",
};

static const struct
{
  const char *text;
  QueryKind   kind;
} queries[] = {
  { "proxy", QUERY_COMMON }, { "database index", QUERY_COMMON },
  { "performance", QUERY_COMMON }, { "tomorrow weather", QUERY_COMMON },
  { "certificate", QUERY_COMMON }, { "北京烤鸭", QUERY_COMMON }, { "代理服务器", QUERY_COMMON },
  { "线程安全", QUERY_COMMON }, { "流式输出", QUERY_COMMON }, { "会议纪要", QUERY_COMMON },
  { "kubernetes", QUERY_RARE }, { "sourdough", QUERY_RARE }, { "mortgage", QUERY_RARE },
  { "espresso", QUERY_RARE }, { "telescope", QUERY_RARE }, { "光合作用", QUERY_RARE },
  { "房贷利率", QUERY_RARE }, { "红烧狮子头", QUERY_RARE }, { "兵马俑", QUERY_RARE },
  { "线粒体", QUERY_RARE },
  { "烤鸭", QUERY_SHORT }, { "天气", QUERY_SHORT }, { "密码", QUERY_SHORT },
  { "语法", QUERY_SHORT }, { "预算", QUERY_SHORT },
  { "nonexistentword", QUERY_NONE }, { "量子纠缠态", QUERY_NONE },
};

typedef struct
{
  guint n_conversations;
  guint n_messages;
  guint largest;
} Sizes;

static void
append_words (GString *text,
              GRand   *rand,
              guint    n_words)
{
  for (guint i = 0; i < n_words; i++)
    {
      if (g_rand_int_range (rand, 0, 100) < 45)
        g_string_append (text, chinese[g_rand_int_range (rand, 0, G_N_ELEMENTS (chinese))]);
      else
        {
          if (text->len > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, english[g_rand_int_range (rand, 0, G_N_ELEMENTS (english))]);
        }
    }
}

typedef struct
{
  GRand *rand;
  guint  n_made;
  guint  rare_stride;
} Generator;

static ConfabMessage *
make_message (Generator *gen,
              guint      index,
              gint64     created)
{
  GRand *rand = gen->rand;
  ConfabRole role = index % 2 ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER;
  g_autoptr(GString) text = g_string_new (NULL);
  ConfabMessage *message;

  /* Questions are short, replies longer. */
  append_words (text, rand, role == CONFAB_ROLE_USER ? g_rand_int_range (rand, 5, 30)
                                                     : g_rand_int_range (rand, 20, 120));
  if (gen->n_made++ % gen->rare_stride == 0)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, rare[gen->n_made / gen->rare_stride % G_N_ELEMENTS (rare)]);
    }
  message = confab_message_new (role, text->str);
  confab_message_set_created (message, created);
  if (role == CONFAB_ROLE_ASSISTANT)
    {
      confab_message_set_account_id (message, "0123456789abcdef");
      confab_message_set_provider_id (message, "deepseek");
      confab_message_set_model (message, "deepseek-chat");
      confab_message_set_input_tokens (message, g_rand_int_range (rand, 10, 4000));
      confab_message_set_output_tokens (message, g_rand_int_range (rand, 10, 800));
      confab_message_set_finish_reason (message, "stop");
      confab_message_set_ttft (message, g_rand_int_range (rand, 200, 3000));
      confab_message_set_duration (message, g_rand_int_range (rand, 1000, 30000));
    }
  return message;
}

static ConfabConversation *
make_conversation (Generator *gen,
                   guint      index,
                   guint      n_messages)
{
  GRand *rand = gen->rand;
  g_autofree char *id = g_strdup_printf ("%016x", 0x10000000u + index);
  ConfabConversation *conversation = confab_conversation_new (id);
  gint64 created = G_GINT64_CONSTANT (1704067200000000) + (gint64)index * 600 * G_USEC_PER_SEC;
  g_autoptr(GString) title = g_string_new (NULL);

  append_words (title, rand, 4);
  confab_conversation_set_title (conversation, title->str);
  confab_conversation_set_created (conversation, created);
  confab_conversation_set_updated (conversation, created + n_messages * 30 * G_USEC_PER_SEC);
  confab_conversation_set_model (conversation, "deepseek-chat");
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(ConfabMessage) message =
        make_message (gen, i, created + i * 30 * G_USEC_PER_SEC);
      confab_conversation_append (conversation, message);
    }
  return conversation;
}

/* Message counts: the largest first, the rest between 4 and 36, summing
 * to exactly n_messages. */
static guint *
plan_sizes (GRand       *rand,
            const Sizes *sizes)
{
  guint *counts = g_new0 (guint, sizes->n_conversations);
  guint rest = sizes->n_messages - sizes->largest;
  guint others = sizes->n_conversations - 1;
  guint total = 0;

  counts[0] = sizes->largest;
  for (guint i = 1; i < sizes->n_conversations; i++)
    {
      counts[i] = rest / others + g_rand_int_range (rand, -8, 9);
      total += counts[i];
    }
  /* Spread the rounding so that the total is exact. */
  for (guint i = 1; total != rest; i = i % others + 1)
    {
      if (total < rest)
        counts[i]++, total++;
      else if (counts[i] > 2)
        counts[i]--, total--;
    }
  return counts;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
}

static void
generate (ConfabHistoryStore *store,
          const Sizes        *sizes)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  g_autofree guint *counts = plan_sizes (rand, sizes);
  Generator gen = { rand, 0, sizes->n_messages / (G_N_ELEMENTS (rare) * RARE_COUNT) };
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < sizes->n_conversations; i++)
    {
      g_ptr_array_add (batch, make_conversation (&gen, i, counts[i]));
      if (batch->len == 250 || i + 1 == sizes->n_conversations)
        {
          guint n_imported = 0;

          if (!confab_history_store_import (store, batch, &n_imported, NULL, NULL, &error))
            g_error ("import failed: %s", error->message);
          g_assert (n_imported == batch->len);
          g_ptr_array_set_size (batch, 0);
        }
    }
  printf ("generated %u conversations, %u messages in %.1f s\n",
          sizes->n_conversations, sizes->n_messages, seconds_since (start));
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *times,
            double  p)
{
  g_array_sort (times, compare_doubles);
  return g_array_index (times, double, (guint)((times->len - 1) * p + 0.5));
}

static double
time_list (ConfabHistoryStore *store,
           guint               limit,
           guint               expected)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint round = 0; round < 5; round++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GPtrArray) list = confab_history_store_list (store, limit, NULL, &error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      if (list == NULL)
        g_error ("list failed: %s", error->message);
      g_assert (list->len == expected);
      g_array_append_val (times, ms);
    }
  return percentile (times, 0.5);
}

static void
time_search (ConfabHistoryStore *store)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *by_kind[N_QUERY_KINDS];

  for (guint k = 0; k < N_QUERY_KINDS; k++)
    by_kind[k] = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autoptr(GError) error = NULL;
        gint64 start = g_get_monotonic_time ();
        g_autoptr(GPtrArray) hits = confab_history_store_search (store, queries[i].text, 50,
                                                                 NULL, &error);
        double ms = (g_get_monotonic_time () - start) / 1000.0;

        if (hits == NULL)
          g_error ("search failed: %s", error->message);
        g_assert ((hits->len > 0) == (queries[i].kind != QUERY_NONE));
        g_array_append_val (all, ms);
        g_array_append_val (by_kind[queries[i].kind], ms);
        if (round == 0)
          printf ("  search %-18s %4u hits %8.1f ms\n", queries[i].text, hits->len, ms);
      }

  printf ("search, all %u queries x 3: p50 %7.1f ms   p95 %7.1f ms\n",
          (guint)G_N_ELEMENTS (queries), percentile (all, 0.5), percentile (all, 0.95));
  for (guint k = 0; k < N_QUERY_KINDS; k++)
    {
      printf ("search, %-20s p50 %7.1f ms   p95 %7.1f ms\n", kind_names[k],
              percentile (by_kind[k], 0.5), percentile (by_kind[k], 0.95));
      g_array_unref (by_kind[k]);
    }
}

static void
time_open_largest (ConfabHistoryStore *store,
                   guint               expected)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint round = 0; round < 5; round++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      g_autoptr(ConfabConversation) conversation =
        confab_history_store_load (store, "0000000010000000", NULL, &error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      if (conversation == NULL)
        g_error ("load failed: %s", error->message);
      g_assert (g_list_model_get_n_items (G_LIST_MODEL (conversation)) == expected);
      g_array_append_val (times, ms);
    }
  printf ("open the largest conversation (%u messages): %.1f ms\n", expected,
          percentile (times, 0.5));
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : 0;
}

static void
measure (const char  *path,
         const Sizes *sizes)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gint64 start = g_get_monotonic_time ();

  if (!confab_history_store_open (store, NULL, &error))
    g_error ("open failed: %s", error->message);
  printf ("open the store (schema check, recovery): %.1f ms\n",
          (g_get_monotonic_time () - start) / 1000.0);
  printf ("list all %u conversations: %.1f ms\n", sizes->n_conversations,
          time_list (store, 0, sizes->n_conversations));
  printf ("list the 50 most recent: %.1f ms\n", time_list (store, 50, 50));
  time_search (store);
  time_open_largest (store, sizes->largest);
  g_clear_object (&store);

  printf ("database size: %.1f MiB (%s, after the last connection closed; -wal %.1f MiB)\n",
          file_size (path) / 1048576.0, path, file_size (wal) / 1048576.0);
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = FALSE;
  gboolean keep = FALSE;
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A fiftieth of the size, as a test", NULL },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where to create the database", "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the database afterwards", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Sizes sizes = { 10000, 200000, 2000 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    sizes = (Sizes) { 200, 4000, 100 };
  if (dir == NULL && (dir = g_dir_make_tmp ("bench-history-XXXXXX", &error)) == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "history.db", NULL);

  {
    g_autoptr(ConfabHistoryStore) store = confab_history_store_new (path);
    generate (store, &sizes);
  }
  measure (path, &sizes);

  if (!keep)
    {
      g_autofree char *writers = g_strconcat (path, "-writers", NULL);
      g_unlink (path);
      g_rmdir (writers);
      g_rmdir (dir);
    }
  return 0;
}
