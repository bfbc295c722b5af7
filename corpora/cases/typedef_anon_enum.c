/* Feature: typedef of an anonymous enum — 'typedef enum { ... } name_t' used by a global, a
 * struct member and a parameter, plus an anonymous enum typedef'd twice (a typedef chain).
 * Expect: TYPEDEF -> ENUM with name_off=0; the enumerators keep their names; the chain
 * TYPEDEF -> TYPEDEF -> anonymous ENUM. */
typedef enum { TAE_OFF, TAE_ON, TAE_AUTO = 7 } tae_mode_t;
typedef enum { TAE_LOW = -1, TAE_HIGH = 1 } tae_level_t;
typedef tae_level_t tae_level2_t;

struct tae_cfg {
	tae_mode_t mode;
	tae_level2_t level;
};

tae_mode_t g_tae_mode = TAE_AUTO;
struct tae_cfg g_tae_cfg;

int typedef_anon_enum_is_on(tae_mode_t m)
{
	return m == TAE_ON || g_tae_cfg.level == TAE_HIGH;
}
