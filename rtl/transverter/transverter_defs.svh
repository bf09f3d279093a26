// Constants, types and functions of the transverter unit, `include`d inside
// the body of each transverter module (not a package: Yosys 0.23 reads no
// `import pkg::*`). No include guard on purpose: every module needs its own
// copy of the localparams.
//
// The register map comes from the C++ header ip/transverter/transverter_regs.h
// through the generated transverter_regs.svh (rtl/gen_regs_pkg.cpp, run by the
// configure step / run_harness.sh / scripts/area.sh into a build directory that
// is passed with -I). The names below only narrow those values to the widths
// the RTL compares them at; every other constant says where it comes from.
`include "transverter_regs.svh"

/* verilator lint_off UNUSEDPARAM */

// ---- register map (byte offsets in page 0): transverter_regs.svh
localparam logic [31:0] ID_VALUE      = kIdValue;       // "TRV0"
localparam logic [31:0] VERSION_VALUE = kVersionValue;

localparam logic [11:0] A_ID            = 12'(REG_ID);
localparam logic [11:0] A_VERSION       = 12'(REG_VERSION);
localparam logic [11:0] A_CTRL          = 12'(REG_CTRL);
localparam logic [11:0] A_CMD           = 12'(REG_CMD);
localparam logic [11:0] A_STATUS        = 12'(REG_STATUS);
localparam logic [11:0] A_IRQ_STATUS    = 12'(REG_IRQ_STATUS);
localparam logic [11:0] A_TABLE_ENTRIES = 12'(REG_TABLE_ENTRIES);
localparam logic [11:0] A_LEVELS        = 12'(REG_LEVELS);
localparam logic [11:0] A_UPDATES       = 12'(REG_UPDATES);
localparam logic [11:0] A_CYCLES        = 12'(REG_CYCLES);
localparam logic [11:0] A_RUNS          = 12'(REG_RUNS);
localparam logic [11:0] A_OP_STRIDE     = 12'(REG_OP_STRIDE);
localparam logic [11:0] A_OP_DILATION   = 12'(REG_OP_DILATION);
localparam logic [11:0] A_OP_GROUPS     = 12'(REG_OP_GROUPS);
localparam logic [11:0] A_ELEM_BYTES    = 12'(REG_ELEM_BYTES);
localparam logic [11:0] A_TABLE_BYTES   = 12'(REG_TABLE_BYTES);
localparam logic [11:0] A_MAX_PRIME     = 12'(REG_MAX_PRIME);
localparam logic [11:0] A_ERR_DETAIL    = 12'(REG_ERR_DETAIL);
localparam logic [11:0] A_DIM_BB        = 12'(kDimBackbone);    // + 4j, j < 7
localparam logic [11:0] A_DIM_DYN       = 12'(kDimDynamic);
localparam logic [11:0] A_DIM_EXEC      = 12'(kDimExecuted);
localparam logic [11:0] A_CONSTRAINT    = 12'(kConstraintBase); // + kConstraintStride * i, i < kMaxLevels
localparam int CONS_STRIDE_SH = $clog2(kConstraintStride);      // the stride is a power of two
localparam logic [3:0] TABLE_PAGE = 4'(kTablePage >> 12);        // bus_addr[15:12] of the table window
// Word index inside a constraint row (the eta[level][word] arrays): byte offset / 4.
localparam int CAP_W      = kCapWeight >> 2;
localparam int CAP_I      = kCapInput >> 2;
localparam int CAP_O      = kCapOutput >> 2;
localparam int CAP_SHARED = kCapShared >> 2;
localparam int FANOUT     = kFanout >> 2;   // the last word of a row: words 0..FANOUT are mapped
localparam int ETA_WORDS  = FANOUT + 1;      // words per constraint row (the RTL's eta arrays; core ports use 5)

localparam logic [31:0] CMD_GO = kCmdGo;

// ErrCode (STATUS.ERR_CODE). The generator names the codes by value, in the
// order of the header's enum: kErr_2 = kErrTable, kErr_3 = kErrShape,
// kErr_4 = kErrDynamic, kErr_5 = kErrTableFull, kErr_6 = kErrConstraint,
// kErr_7 = kErrOperator (a renumbered code fails to compile here).
localparam logic [7:0] ERR_NONE       = 8'd0;          // kErrNone: not in the generated map (transverter_regs.h)
localparam logic [7:0] ERR_TABLE      = 8'(kErr_2);
localparam logic [7:0] ERR_SHAPE      = 8'(kErr_3);
localparam logic [7:0] ERR_DYNAMIC    = 8'(kErr_4);
localparam logic [7:0] ERR_TABLE_FULL = 8'(kErr_5);
localparam logic [7:0] ERR_CONSTRAINT = 8'(kErr_6);
localparam logic [7:0] ERR_OPERATOR   = 8'(kErr_7);

// ---- hand-written: not in the generated register map
// STATUS.STATE: reg::unit_status::kIdle/kBusy/kDone/kError (ip/common/regdef.h).
localparam logic [1:0] ST_IDLE = 2'd0, ST_BUSY = 2'd1, ST_DONE = 2'd2, ST_ERROR = 2'd3;

// Serialised schedule ("SCHD"): kSchedMagic in ip/core/npu_regs.h; the window
// size is kTableWindowBytes of transverter_regs.h.
localparam logic [31:0] SCHD_MAGIC = 32'h4448_4353;
localparam int TABLE_WINDOW_BYTES = 4096;

// Algorithm constants (ip/scheduling): 7 operator dims; decode_schedule's
// limit on a dim's product, 2^20.
localparam int KDIMS = 7;
localparam logic [20:0] KMAXDIM = 21'h10_0000;

// Dims R, S, P, Q, C, K, N (sched::Dim order, also the DIM_* register order).
localparam logic [2:0] D_R = 3'd0, D_S = 3'd1, D_P = 3'd2, D_Q = 3'd3, D_C = 3'd4, D_K = 3'd5, D_N = 3'd6;

/* verilator lint_on UNUSEDPARAM */

// The A matrix of DNA eq. 2: does dim j index tensor v (0 weight, 1 input, 2 output)?
function automatic logic relevant(input logic [2:0] j, input integer v);
    case (v)
        0: relevant = (j == D_R) || (j == D_S) || (j == D_C) || (j == D_K);
        1: relevant = (j != D_K);
        default: relevant = (j == D_P) || (j == D_Q) || (j == D_K) || (j == D_N);
    endcase
endfunction

// A loop order: 7 dims of 3 bits, element 0 (outermost) in bits [2:0].
typedef logic [KDIMS*3-1:0] order_t;

// move_loop(o, j, outermost): j's loop first (outermost).
function automatic order_t move_front(input order_t o, input logic [2:0] j);
    logic seen;
    move_front = o;
    seen = 1'b0;
    move_front[2:0] = j;
    for (int k = 1; k < KDIMS; k++) begin
        if (o[(k-1)*3 +: 3] == j) seen = 1'b1;
        move_front[k*3 +: 3] = seen ? o[k*3 +: 3] : o[(k-1)*3 +: 3];
    end
endfunction

// move_loop(o, j, innermost): j's loop last (innermost).
function automatic order_t move_back(input order_t o, input logic [2:0] j);
    logic seen;
    move_back = o;
    seen = 1'b0;
    for (int k = 0; k < KDIMS - 1; k++) begin
        if (o[k*3 +: 3] == j) seen = 1'b1;
        move_back[k*3 +: 3] = seen ? o[(k+1)*3 +: 3] : o[k*3 +: 3];
    end
    move_back[(KDIMS-1)*3 +: 3] = j;
endfunction
