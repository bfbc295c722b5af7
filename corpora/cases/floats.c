/* Feature: FLOAT kind — float, double, long double (size depends on target),
 * floats in structs, arrays and prototypes; _Complex is skipped by BTF. */
float g_fl_f = 1.5f;
double g_fl_d = 2.5;
long double g_fl_ld;

struct fl_point {
	float x, y;
	double w;
	float hist[4];
};

struct fl_point g_fl_point;

/* No float arithmetic: BPF has no FPU; only moves of float bits. */
double floats_scale(struct fl_point *p, float k)
{
	p->x = k;
	return p->w;
}
