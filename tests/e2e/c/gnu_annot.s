# struct s { int *p [btf_type_tag "user", "rcu"]; int x [btf_decl_tag "m"]; } [btf_decl_tag "s"]
# in gcc >= 16's form: DW_AT_GNU_annotation (0x2139) on the annotated DIE refers to a
# DW_TAG_GNU_annotation (0x6001) DIE; annotation DIEs chain through the same attribute.
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11, 1          # compile_unit, children
	.uleb128 0x25, 0x08, 0x13, 0x0b, 0x03, 0x08, 0, 0
	.uleb128 2, 0x24, 0          # base_type
	.uleb128 0x03, 0x08, 0x3e, 0x0b, 0x0b, 0x0b, 0, 0
	.uleb128 3, 0x0f, 0          # pointer_type + annotation
	.uleb128 0x0b, 0x0b, 0x49, 0x13, 0x2139, 0x13, 0, 0
	.uleb128 4, 0x6001, 0        # GNU_annotation, last in its chain
	.uleb128 0x03, 0x08, 0x1c, 0x08, 0, 0
	.uleb128 5, 0x6001, 0        # GNU_annotation, chained
	.uleb128 0x03, 0x08, 0x1c, 0x08, 0x2139, 0x13, 0, 0
	.uleb128 6, 0x13, 1          # structure_type + annotation, children
	.uleb128 0x03, 0x08, 0x0b, 0x0b, 0x2139, 0x13, 0, 0
	.uleb128 7, 0x0d, 0          # member
	.uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b, 0, 0
	.uleb128 8, 0x0d, 0          # member + annotation
	.uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b, 0x2139, 0x13, 0, 0
	.byte 0
	.section .debug_info,"",@progbits
.Lcu:
	.long .Lcu_end - .Lcu_ver
.Lcu_ver:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1
	.asciz "GNU C17 16.1.0 (hand-written)"
	.byte 0x1d                   # DW_LANG_C11
	.asciz "gnu_annot.c"
.Lint:
	.uleb128 2
	.asciz "int"
	.byte 5, 4
.Lptr:
	.uleb128 3
	.byte 8
	.long .Lint - .Lcu
	.long .Ltag_user - .Lcu
.Ltag_user:
	.uleb128 5
	.asciz "btf_type_tag"
	.asciz "user"
	.long .Ltag_rcu - .Lcu
.Ltag_rcu:
	.uleb128 4
	.asciz "btf_type_tag"
	.asciz "rcu"
.Ldecl_s:
	.uleb128 4
	.asciz "btf_decl_tag"
	.asciz "s"
.Ldecl_m:
	.uleb128 4
	.asciz "btf_decl_tag"
	.asciz "m"
	.uleb128 6
	.asciz "s"
	.byte 16
	.long .Ldecl_s - .Lcu
	.uleb128 7
	.asciz "p"
	.long .Lptr - .Lcu
	.byte 0
	.uleb128 8
	.asciz "x"
	.long .Lint - .Lcu
	.byte 8
	.long .Ldecl_m - .Lcu
	.byte 0                      # end of struct children
	.byte 0                      # end of CU children
.Lcu_end:
