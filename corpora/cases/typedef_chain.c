/* Feature: typedef chains — TYPEDEF -> TYPEDEF -> INT, typedef of pointer,
 * typedef of struct/union/enum/array/function prototype, typedef'd anonymous
 * struct. */
typedef unsigned int td_u32;
typedef td_u32 td_id;
typedef td_id td_pid;
typedef td_pid *td_pid_ptr;
typedef struct td_s { td_pid pid; } td_s_t;
typedef td_s_t td_s_alias;
typedef union { td_u32 a; int b; } td_anon_union_t;
typedef enum { TD_A, TD_B } td_anon_enum_t;
typedef int td_arr4[4];
typedef td_arr4 td_arr4x2[2];
typedef int td_fn(int);
typedef td_fn *td_fn_ptr;

td_pid g_td_pid;
td_pid_ptr g_td_pid_ptr;
td_s_alias g_td_s;
td_anon_union_t g_td_u;
td_anon_enum_t g_td_e;
td_arr4x2 g_td_arr;
td_fn_ptr g_td_fn;

td_id typedef_chain_get(td_s_alias *s)
{
	return s->pid;
}
