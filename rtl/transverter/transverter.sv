// The transverter unit (DNA sec. V-C, Fig. 9b) in RTL: register bank, the
// constraint table eta, the scheduling-table window (page 1, a 512 x 64-bit
// SRAM) and the engine (transverter_core) that runs Algorithm 1 on GO.
// Registers and behaviour as the TLM model ip/transverter/transverter.cpp
// (offsets: ip/transverter/transverter_regs.h, through the generated
// transverter_regs.svh that transverter_defs.svh includes). See README.md here.
//
// Bus: one 32-bit access at a time, held until bus_ready. Registers and table
// writes complete in the cycle they are presented; table reads take one wait
// clock (the SRAM's registered read), more while the engine uses the SRAM.
// Unmapped or misaligned offsets read 0 and ignore writes (the TLM model
// answers them with an address error).
module transverter #(
    parameter int TABLE_ENTRIES = 64,  // factor rows of the scheduling table (platform "table_entries")
    parameter int MAX_LEVELS = 8,      // constraint-table rows the address map has room for: must be kMaxLevels (checked)
    parameter int LEVELS = 4,          // constraint-table rows implemented (LEVELS register)
    // Reset values of the constraint table and operator registers: the
    // platform's int8 machine (dna-16c: Reg | CoreBuf | GLB | DRAM). Level l's
    // value in [l*32 +: 32] (flat vectors: Yosys 0.23 reads no 2-D packed types).
    parameter logic [MAX_LEVELS*32-1:0] RESET_CAP_W  = {32'd0, 32'd0, 32'd0, 32'd0, 32'hFFFF_FFFF, 32'd131072, 32'd4096, 32'd1},
    parameter logic [MAX_LEVELS*32-1:0] RESET_CAP_I  = {32'd0, 32'd0, 32'd0, 32'd0, 32'hFFFF_FFFF, 32'd131072, 32'd2048, 32'd1},
    parameter logic [MAX_LEVELS*32-1:0] RESET_CAP_O  = {32'd0, 32'd0, 32'd0, 32'd0, 32'hFFFF_FFFF, 32'd131072, 32'd2048, 32'd4},
    parameter logic [MAX_LEVELS*32-1:0] RESET_SHARED = {32'd0, 32'd0, 32'd0, 32'd0, 32'd0, 32'd131072, 32'd0, 32'd0},
    parameter logic [MAX_LEVELS*32-1:0] RESET_FANOUT = {32'd1, 32'd1, 32'd1, 32'd1, 32'd1, 32'd16, 32'd64, 32'd1},
    parameter logic [31:0] RESET_ELEM_BYTES = 32'h0104_0101, // weight 1, input 1, output 4, DRAM output 1
    parameter logic [31:0] RESET_MAX_PRIME = 32'd7
) (
    input  logic        clk,
    input  logic        rst_n,
    input  logic        bus_valid,
    input  logic        bus_write,
    input  logic [15:0] bus_addr,
    input  logic [31:0] bus_wdata,
    output logic        bus_ready,
    output logic [31:0] bus_rdata,
    output logic        irq
);
    `include "transverter_defs.svh"

    // ---------------------------------------------------------------- registers
    logic [31:0] ctrl;
    logic [1:0]  irq_st;            // IRQ_STATUS: [0] DONE, [1] ERROR
    logic [1:0]  st_state;
    logic [7:0]  st_err;
    logic [31:0] updates, cycles, runs, table_bytes, err_detail;
    logic [31:0] op_stride, op_dilation, op_groups, elem_bytes, max_prime;
    logic [KDIMS*32-1:0] dim_bb, dim_dyn, dim_exec;   // dim j in [j*32 +: 32]
    logic [LEVELS*ETA_WORDS*32-1:0] eta;               // level l, word w in [(l*ETA_WORDS + w)*32 +: 32]
    logic        busy;
    logic [31:0] cyc_cnt;

    // ---------------------------------------------------------------- bus decode
    // Offsets from transverter_regs.svh (transverter_defs.svh): DIM_* are 7
    // words from their bases, eta row i at kConstraintBase + kConstraintStride * i.
    localparam logic [11:0] DIM_BYTES = 12'(4 * KDIMS);
    localparam logic [11:0] CONS_BYTES = 12'(kMaxLevels * kConstraintStride);
    localparam int RW_ = $clog2(kMaxLevels);     // eta row index bits
    localparam int WW_ = CONS_STRIDE_SH - 2;      // eta word index bits
    wire        aligned = bus_addr[1:0] == 2'b00;
    wire        page0 = bus_addr[15:12] == 4'h0 && aligned;
    wire        page1 = bus_addr[15:12] == TABLE_PAGE && aligned;
    wire [11:0] off = bus_addr[11:0];
    wire        in_bb = off >= A_DIM_BB && off < A_DIM_BB + DIM_BYTES;
    wire        in_dyn = off >= A_DIM_DYN && off < A_DIM_DYN + DIM_BYTES;
    wire        in_exec = off >= A_DIM_EXEC && off < A_DIM_EXEC + DIM_BYTES;
    wire        is_dim = in_bb || in_dyn || in_exec;
    wire [2:0]  dim_j = 3'((off - (in_bb ? A_DIM_BB : in_dyn ? A_DIM_DYN : A_DIM_EXEC)) >> 2);
    wire        is_eta = off >= A_CONSTRAINT && off < A_CONSTRAINT + CONS_BYTES;
    wire [RW_-1:0] eta_row = RW_'((off - A_CONSTRAINT) >> CONS_STRIDE_SH);
    wire [WW_-1:0] eta_word = WW_'((off - A_CONSTRAINT) >> 2);
    wire        eta_ok = is_eta && 32'(eta_row) < 32'(LEVELS) && 32'(eta_word) <= 32'(FANOUT);
    wire [$clog2(LEVELS)-1:0] eta_r = eta_row[$clog2(LEVELS)-1:0];
    localparam int EW_ = $clog2(LEVELS * ETA_WORDS);
    wire [EW_-1:0] eta_idx = EW_'(eta_r) * EW_'(ETA_WORDS) + EW_'(eta_word);

    // Parameter checks (elaboration errors in Verilator and Yosys).
    if (MAX_LEVELS != kMaxLevels) begin : g_bad_max_levels
        $error("transverter: MAX_LEVELS must equal kMaxLevels of transverter_regs.h");
    end
    if (LEVELS < 2 || LEVELS > MAX_LEVELS) begin : g_bad_levels
        $error("transverter: LEVELS must be in 2..MAX_LEVELS");
    end
    if (TABLE_ENTRIES < 1 || TABLE_ENTRIES > 500) begin : g_bad_entries
        $error("transverter: TABLE_ENTRIES must be in 1..500 (the 4 KB window)");
    end
    if (kConstraintStride != (1 << CONS_STRIDE_SH) || kConstraintStride < 4 * (FANOUT + 1)) begin : g_bad_stride
        $error("transverter: kConstraintStride must be a power of two holding CAP_W..FANOUT");
    end

    wire wr = bus_valid && bus_write;
    wire rd = bus_valid && !bus_write;

    // ---------------------------------------------------------------- engine
    logic        go;
    logic        core_done;
    logic [7:0]  core_err;
    logic [31:0] core_detail, core_updates, core_table_bytes;
    logic [KDIMS*32-1:0] core_exec;
    logic        core_ram_en, core_ram_we, core_ram_clear;
    logic [8:0]  core_ram_addr;
    logic [63:0] core_ram_wdata, ram_rdata;

    assign go = wr && page0 && off == A_CMD && bus_wdata == CMD_GO && !busy;

    transverter_core #(.TABLE_ENTRIES(TABLE_ENTRIES), .MAX_LEVELS(MAX_LEVELS), .LEVELS(LEVELS)) u_core (
        .clk, .rst_n, .start(go),
        .dim_bb, .dim_dyn, .stride(op_stride), .dilation(op_dilation), .groups(op_groups),
        .elem_bytes(elem_bytes[23:0]), .max_prime,
        .maxbuff_nest(ctrl[4]), .maxcomp_backbone(ctrl[5]), .eta,
        .ram_en(core_ram_en), .ram_addr(core_ram_addr), .ram_we(core_ram_we), .ram_wdata(core_ram_wdata),
        .ram_clear(core_ram_clear), .ram_rdata,
        .done(core_done), .res_err(core_err), .res_detail(core_detail), .res_updates(core_updates),
        .res_table_bytes(core_table_bytes), .res_exec(core_exec)
    );

    // ---------------------------------------------------------------- table SRAM and its arbiter
    logic        ram_en, ram_we_lo, ram_we_hi, ram_row_valid;
    logic [8:0]  ram_addr;
    logic [63:0] ram_wdata;
    logic        rd_pending;     // a bus table read was issued last clock
    wire         tbl_wr = wr && page1 && !busy;     // writes while busy are ignored (the unit owns the table)
    wire         tbl_rd_issue = rd && page1 && !rd_pending && !core_ram_en;
    always_comb begin
        ram_en = 1'b0;
        ram_we_lo = 1'b0;
        ram_we_hi = 1'b0;
        ram_addr = bus_addr[11:3];
        ram_wdata = {bus_wdata, bus_wdata};
        if (core_ram_en || core_ram_clear) begin
            ram_en = core_ram_en;
            ram_we_lo = core_ram_we;
            ram_we_hi = core_ram_we;
            ram_addr = core_ram_addr;
            ram_wdata = core_ram_wdata;
        end else if (tbl_wr) begin
            // a row never written since the last clear reads as zero: write its other half as zero too
            ram_en = 1'b1;
            ram_we_lo = !bus_addr[2] || !ram_row_valid;
            ram_we_hi = bus_addr[2] || !ram_row_valid;
            ram_wdata = bus_addr[2] ? {bus_wdata, ram_row_valid ? bus_wdata : 32'd0} : {ram_row_valid ? bus_wdata : 32'd0, bus_wdata};
        end else if (tbl_rd_issue) begin
            ram_en = 1'b1;
        end
    end

    transverter_table_ram #(.ROWS(512)) u_table (
        .clk, .rst_n, .en(ram_en), .addr(ram_addr), .we_lo(ram_we_lo), .we_hi(ram_we_hi), .wdata(ram_wdata),
        .clear(core_ram_clear), .row_valid(ram_row_valid), .rdata(ram_rdata)
    );

    logic rd_half;
    always_ff @(posedge clk or negedge rst_n) begin
        if (!rst_n) begin
            rd_pending <= 1'b0;
            rd_half <= 1'b0;
        end else begin
            rd_pending <= tbl_rd_issue;
            if (tbl_rd_issue) rd_half <= bus_addr[2];
        end
    end

    // ---------------------------------------------------------------- register reads
    logic [31:0] reg_rdata;
    logic        reg_mapped;
    always_comb begin
        reg_rdata = 32'd0;
        reg_mapped = 1'b1;
        if (is_dim) begin
            if (in_bb) reg_rdata = dim_bb[dim_j*32 +: 32];
            else if (in_dyn) reg_rdata = dim_dyn[dim_j*32 +: 32];
            else reg_rdata = dim_exec[dim_j*32 +: 32];
        end else if (is_eta) begin
            reg_mapped = eta_ok;
            reg_rdata = eta_ok ? eta[eta_idx*32 +: 32] : 32'd0;
        end else begin
            case (off)
                A_ID:            reg_rdata = ID_VALUE;
                A_VERSION:       reg_rdata = VERSION_VALUE;
                A_CTRL:          reg_rdata = ctrl;
                A_CMD:           reg_rdata = 32'd0; // write-only
                A_STATUS:        reg_rdata = {16'd0, st_err, 6'd0, st_state};
                A_IRQ_STATUS:    reg_rdata = {30'd0, irq_st};
                A_TABLE_ENTRIES: reg_rdata = 32'(TABLE_ENTRIES);
                A_LEVELS:        reg_rdata = 32'(LEVELS);
                A_UPDATES:       reg_rdata = updates;
                A_CYCLES:        reg_rdata = cycles;
                A_RUNS:          reg_rdata = runs;
                A_OP_STRIDE:     reg_rdata = op_stride;
                A_OP_DILATION:   reg_rdata = op_dilation;
                A_OP_GROUPS:     reg_rdata = op_groups;
                A_ELEM_BYTES:    reg_rdata = elem_bytes;
                A_TABLE_BYTES:   reg_rdata = table_bytes;
                A_MAX_PRIME:     reg_rdata = max_prime;
                A_ERR_DETAIL:    reg_rdata = err_detail;
                default:         reg_mapped = 1'b0;
            endcase
        end
    end

    always_comb begin
        bus_ready = bus_valid;
        bus_rdata = 32'd0;
        if (rd && page1) begin
            bus_ready = rd_pending;
            bus_rdata = rd_half ? ram_rdata[63:32] : ram_rdata[31:0];
        end else if (rd && page0 && reg_mapped) begin
            bus_rdata = reg_rdata;
        end
    end

    assign irq = ctrl[0] && (irq_st != 2'b00);

    // ---------------------------------------------------------------- register writes and the run's results
    always_ff @(posedge clk or negedge rst_n) begin
        if (!rst_n) begin
            ctrl <= '0;
            irq_st <= '0;
            st_state <= ST_IDLE;
            st_err <= '0;
            updates <= '0; cycles <= '0; runs <= '0; table_bytes <= '0; err_detail <= '0;
            op_stride <= 32'd1; op_dilation <= 32'd1; op_groups <= 32'd1;
            elem_bytes <= RESET_ELEM_BYTES;
            max_prime <= RESET_MAX_PRIME;
            for (int d = 0; d < 7; d++) begin
                dim_bb[d*32 +: 32] <= 32'd1; dim_dyn[d*32 +: 32] <= 32'd1; dim_exec[d*32 +: 32] <= 32'd1;
            end
            for (int l = 0; l < LEVELS; l++) begin
                eta[(l*ETA_WORDS + CAP_W)*32 +: 32] <= RESET_CAP_W[l*32 +: 32];
                eta[(l*ETA_WORDS + CAP_I)*32 +: 32] <= RESET_CAP_I[l*32 +: 32];
                eta[(l*ETA_WORDS + CAP_O)*32 +: 32] <= RESET_CAP_O[l*32 +: 32];
                eta[(l*ETA_WORDS + CAP_SHARED)*32 +: 32] <= RESET_SHARED[l*32 +: 32];
                eta[(l*ETA_WORDS + FANOUT)*32 +: 32] <= RESET_FANOUT[l*32 +: 32];
            end
            busy <= 1'b0;
            cyc_cnt <= '0;
        end else begin
            // bus writes (RO registers ignore them, as the TLM bank does)
            if (wr && page0) begin
                if (is_dim) begin
                    if (in_bb) dim_bb[dim_j*32 +: 32] <= bus_wdata;
                    if (in_dyn) dim_dyn[dim_j*32 +: 32] <= bus_wdata;
                end else if (is_eta) begin
                    if (eta_ok) eta[eta_idx*32 +: 32] <= bus_wdata;
                end else begin
                    case (off)
                        A_CTRL:        ctrl <= bus_wdata;
                        A_IRQ_STATUS:  irq_st <= irq_st & ~bus_wdata[1:0];
                        A_OP_STRIDE:   op_stride <= bus_wdata;
                        A_OP_DILATION: op_dilation <= bus_wdata;
                        A_OP_GROUPS:   op_groups <= bus_wdata;
                        A_ELEM_BYTES:  elem_bytes <= bus_wdata;
                        A_MAX_PRIME:   max_prime <= bus_wdata;
                        default: ;
                    endcase
                end
            end
            if (tbl_wr) table_bytes <= 32'd0; // firmware is loading a new schedule
            // GO and the run
            if (go) begin
                busy <= 1'b1;
                cyc_cnt <= '0;
                st_state <= ST_BUSY;
                st_err <= '0;
            end else if (busy) begin
                cyc_cnt <= cyc_cnt + 32'd1;
            end
            if (core_done) begin
                busy <= 1'b0;
                runs <= runs + 32'd1;
                cycles <= cyc_cnt + 32'd1;   // clocks from GO to DONE, both ends counted once
                err_detail <= core_detail;
                updates <= core_updates;
                if (core_err != ERR_NONE) begin
                    st_state <= ST_ERROR;
                    st_err <= core_err;
                    irq_st[1] <= 1'b1;
                end else begin
                    st_state <= ST_DONE;
                    st_err <= '0;
                    irq_st[0] <= 1'b1;
                    table_bytes <= core_table_bytes;
                    dim_exec <= core_exec;
                end
            end
        end
    end
endmodule
