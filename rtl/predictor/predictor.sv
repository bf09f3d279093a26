// DNA's access predictor (sec. VI, Figs. 10-11) in RTL: the two-level
// prediction table (TileID x RAT, 2-bit saturating states), the RAT register,
// the lookup (PREDICT) and update (RESOLVE) logic, and a prefetch-request
// stream (the tiles to move, in TileID order) for the FIFO scheduler and its
// bus master, which stay in the TLM model (ip/predictor/predictor.cpp).
//
// Registers at the offsets of ip/predictor/predictor_regs.h (predictor_regs.svh
// is generated from that header by the configure step, rtl/gen_regs_pkg.cpp):
//   ID VERSION CTRL CMD STATUS IRQ_STATUS TILES RAT_BITS TABLE_BYTES RAT
//   LAYER_TILES BANK TILE_BASE DECISIONS CORRECT, MASK / ACTUAL / PRED masks,
//   the table window at 0x1000 (16 states per word, entry TileID*2^RAT_BITS+RAT).
// LAYER_TILES, TILE_BASE and PRED are per bank (BANK selects), as in the TLM.
// Commands: PREDICT, PREFETCH (MASK), RESOLVE (ACTUAL), RELEASE, RESET_TABLE.
// A command takes one clock per tile (PREDICT, PREFETCH) or two (RESOLVE:
// read, then write the table word); STATUS.BUSY is high meanwhile and accesses
// to the table or the command register wait (bus_ready low).
module predictor #(
    parameter int TILES = 256,        // TileIDs the table covers (platform JSON "tiles")
    parameter int RAT_BITS = 4,       // "rat_bits"
    parameter int INITIAL_STATE = 1   // "initial_state": what RESET_TABLE writes
) (
    input  logic        clk,
    input  logic        rst_n,
    // Register bus: one 32-bit access, done in the cycle bus_ready is high.
    input  logic        bus_valid,
    input  logic        bus_write,
    input  logic [15:0] bus_addr,
    input  logic [31:0] bus_wdata,
    output logic        bus_ready,
    output logic [31:0] bus_rdata,
    // Prefetch requests (PREDICT: predicted tiles; PREFETCH: MASK tiles).
    output logic        pf_valid,
    output logic        pf_bank,
    output logic [7:0]  pf_tile,
    input  logic        pf_ready,
    output logic        irq
);
    `include "predictor_regs.svh"
    localparam int ENTRIES = TILES << RAT_BITS;
    localparam int WORDS = (ENTRIES + 15) / 16;
    localparam int WBITS = $clog2(WORDS);
    localparam int TBITS = $clog2(TILES + 1);
    localparam int MASK_WORDS = 8; // 256-bit masks

    // ---- state
    logic [31:0] table_mem [0:WORDS-1];
    logic [31:0] rat;
    logic        irq_en;
    logic        bank;
    logic [TBITS-1:0] layer_tiles [0:1];
    logic [31:0] tile_base [0:1];
    logic [255:0] mask_r, actual_r;
    logic [255:0] pred_r [0:1];
    logic [1:0]  predicted_round;
    logic [31:0] decisions, correct;
    logic [7:0]  err_code;
    logic        irq_error;

    typedef enum logic [2:0] {IDLE, PREDICT, RESOLVE_RD, RESOLVE_WR, STREAM, RESET} state_t;
    state_t state;
    logic [8:0]  t;          // tile being processed
    logic [31:0] word_q;     // table word read for RESOLVE
    logic [255:0] stream_m;  // tiles left to request
    logic        stream_bank;
    logic [WBITS:0] reset_i;

    wire busy = state != IDLE;
    wire [31:0] cur_base = tile_base[bank];
    wire [TBITS-1:0] cur_n = layer_tiles[bank];
    // Entry of tile t under the RAT: word and 2-bit slot.
    wire [31:0] tile_id = cur_base + {23'd0, t};
    wire [WBITS+3:0] entry = (WBITS+4)'((tile_id << RAT_BITS) | (rat & ((32'd1 << RAT_BITS) - 1)));
    wire [WBITS-1:0] entry_word = entry[WBITS+3:4];
    wire [3:0] entry_slot = entry[3:0];
    wire layer_ok = cur_n != 0 && ({1'b0, cur_base} + {{(33-TBITS){1'b0}}, cur_n}) <= 33'(TILES);

    // ---- register reads
    function automatic [31:0] mask_word(input [255:0] m, input [2:0] w);
        mask_word = m[w*32 +: 32];
    endfunction
    logic [31:0] rdata;
    always_comb begin
        rdata = 32'd0;
        if (bus_addr >= 16'(kTablePage)) begin
            rdata = table_mem[WBITS'((bus_addr - 16'(kTablePage)) >> 2)];
        end else if (bus_addr >= 16'(kMask) && bus_addr < 16'(kMask + 4 * MASK_WORDS)) begin
            rdata = mask_word(mask_r, 3'((bus_addr - 16'(kMask)) >> 2));
        end else if (bus_addr >= 16'(kActual) && bus_addr < 16'(kActual + 4 * MASK_WORDS)) begin
            rdata = mask_word(actual_r, 3'((bus_addr - 16'(kActual)) >> 2));
        end else if (bus_addr >= 16'(kPredicted) && bus_addr < 16'(kPredicted + 4 * MASK_WORDS)) begin
            rdata = mask_word(pred_r[bank], 3'((bus_addr - 16'(kPredicted)) >> 2));
        end else begin
            case (bus_addr)
                16'(REG_ID):          rdata = kIdValue;
                16'(REG_VERSION):     rdata = kVersionValue;
                16'(REG_CTRL):        rdata = {31'd0, irq_en};
                16'(REG_STATUS):      rdata = {8'd0, err_code, 3'd0, busy, 12'(stream_m != 0)};
                16'(REG_IRQ_STATUS):  rdata = {30'd0, irq_error, 1'b0};
                16'(REG_TILES):       rdata = 32'(TILES);
                16'(REG_RAT_BITS):    rdata = 32'(RAT_BITS);
                16'(REG_TABLE_BYTES): rdata = 32'((ENTRIES * 2 + 7) / 8);
                16'(REG_RAT):         rdata = rat;
                16'(REG_LAYER_TILES): rdata = 32'(cur_n);
                16'(REG_BANK):        rdata = {31'd0, bank};
                16'(REG_TILE_BASE):   rdata = cur_base;
                16'(REG_DECISIONS):   rdata = decisions;
                16'(REG_CORRECT):     rdata = correct;
                default:              rdata = 32'd0;
            endcase
        end
    end
    // The table window and the command register wait while a command runs.
    wire table_access = bus_addr >= 16'(kTablePage);
    assign bus_ready = bus_valid && !(busy && (table_access || bus_addr == 16'(REG_CMD)));
    assign bus_rdata = rdata;
    assign irq = irq_en && irq_error;

    // ---- prefetch-request stream: the lowest tile still to request
    logic [7:0] next_tile;
    always_comb begin
        next_tile = 8'd0;
        for (int i = 255; i >= 0; i--)
            if (stream_m[i]) next_tile = 8'(i);
    end
    assign pf_valid = state == STREAM && stream_m != 0;
    assign pf_tile = next_tile;
    assign pf_bank = stream_bank;

    wire write = bus_valid && bus_ready && bus_write;
    always_ff @(posedge clk or negedge rst_n) begin
        if (!rst_n) begin
            state <= RESET;
            reset_i <= '0;
            rat <= 32'd0;
            irq_en <= 1'b0;
            bank <= 1'b0;
            layer_tiles[0] <= '0;
            layer_tiles[1] <= '0;
            tile_base[0] <= 32'd0;
            tile_base[1] <= 32'd0;
            mask_r <= '0;
            actual_r <= '0;
            pred_r[0] <= '0;
            pred_r[1] <= '0;
            predicted_round <= 2'b00;
            decisions <= 32'd0;
            correct <= 32'd0;
            err_code <= 8'd0;
            irq_error <= 1'b0;
            t <= '0;
            word_q <= 32'd0;
            stream_m <= '0;
            stream_bank <= 1'b0;
        end else begin
            // Register writes.
            if (write) begin
                if (table_access) begin
                    table_mem[WBITS'((bus_addr - 16'(kTablePage)) >> 2)] <= bus_wdata;
                end else if (bus_addr >= 16'(kMask) && bus_addr < 16'(kMask + 4 * MASK_WORDS)) begin
                    mask_r[((bus_addr - 16'(kMask)) >> 2) * 32 +: 32] <= bus_wdata;
                end else if (bus_addr >= 16'(kActual) && bus_addr < 16'(kActual + 4 * MASK_WORDS)) begin
                    actual_r[((bus_addr - 16'(kActual)) >> 2) * 32 +: 32] <= bus_wdata;
                end else begin
                    case (bus_addr)
                        16'(REG_CTRL):        irq_en <= bus_wdata[0];
                        16'(REG_IRQ_STATUS):  if (bus_wdata[1]) irq_error <= 1'b0;
                        16'(REG_RAT):         rat <= bus_wdata;
                        16'(REG_LAYER_TILES): layer_tiles[bank] <= TBITS'(bus_wdata > 32'(TILES) ? 32'(TILES) + 1 : bus_wdata);
                        16'(REG_BANK):        bank <= bus_wdata[0];
                        16'(REG_TILE_BASE):   tile_base[bank] <= bus_wdata;
                        16'(REG_CMD): begin
                            err_code <= 8'd0;
                            t <= '0;
                            case (bus_wdata)
                                kCmdPredict:
                                    if (layer_ok) begin
                                        state <= PREDICT;
                                        pred_r[bank] <= '0;
                                        stream_m <= '0;
                                        stream_bank <= bank;
                                    end else begin
                                        err_code <= 8'(kErrLayer);
                                        irq_error <= 1'b1;
                                    end
                                kCmdPrefetch:
                                    if (layer_ok) begin
                                        stream_m <= mask_r & ((256'd1 << cur_n) - 256'd1);
                                        stream_bank <= bank;
                                        state <= STREAM;
                                    end else begin
                                        err_code <= 8'(kErrLayer);
                                        irq_error <= 1'b1;
                                    end
                                kCmdResolve:
                                    if (layer_ok) state <= RESOLVE_RD;
                                    else begin
                                        err_code <= 8'(kErrLayer);
                                        irq_error <= 1'b1;
                                    end
                                kCmdRelease: begin
                                    pred_r[bank] <= '0;
                                    predicted_round[bank] <= 1'b0;
                                end
                                kCmdResetTable: begin
                                    state <= RESET;
                                    reset_i <= '0;
                                    rat <= 32'd0;
                                end
                                default: begin
                                    err_code <= 8'(kErrCommand);
                                    irq_error <= 1'b1;
                                end
                            endcase
                        end
                        default: ;
                    endcase
                end
            end
            // The command's datapath: one table word per clock.
            case (state)
                RESET: begin
                    table_mem[WBITS'(reset_i)] <= {16{2'(INITIAL_STATE)}};
                    reset_i <= reset_i + 1'b1;
                    if (reset_i == (WBITS+1)'(WORDS - 1)) state <= IDLE;
                end
                PREDICT: begin // DNA Fig. 10a steps 1-2: state 10/11 predicts "useful"
                    pred_r[bank][t[7:0]] <= table_mem[entry_word][{entry_slot, 1'b1}];
                    stream_m[t[7:0]] <= table_mem[entry_word][{entry_slot, 1'b1}];
                    if (t + 1 == 9'(cur_n)) begin
                        state <= STREAM;
                        predicted_round[bank] <= 1'b1;
                    end
                    t <= t + 1'b1;
                end
                STREAM: begin // hand the tiles to the FIFO scheduler, lowest TileID first
                    if (stream_m == 0) state <= IDLE;
                    else if (pf_ready) stream_m[next_tile] <= 1'b0;
                end
                RESOLVE_RD: begin // step 3: read the entry's word ...
                    word_q <= table_mem[entry_word];
                    state <= RESOLVE_WR;
                    if (predicted_round[bank]) begin
                        decisions <= decisions + 1;
                        correct <= correct + 32'(pred_r[bank][t[7:0]] == actual_r[t[7:0]]);
                    end
                end
                RESOLVE_WR: begin // ... +1 if used, -1 if not, saturating; write it back
                    table_mem[entry_word] <= update_word(word_q, entry_slot, actual_r[t[7:0]]);
                    if (t + 1 == 9'(cur_n)) begin
                        state <= IDLE;
                        // The actual trace becomes the next RAT (DNA Fig. 11: its first RAT_BITS tiles).
                        rat <= 32'(actual_r[RAT_BITS-1:0]);
                    end else begin
                        state <= RESOLVE_RD;
                    end
                    t <= t + 1'b1;
                end
                default: ;
            endcase
        end
    end

    function automatic [31:0] update_word(input [31:0] w, input [3:0] slot, input used);
        reg [1:0] s;
        begin
            s = w[slot*2 +: 2];
            if (used) s = s == 2'd3 ? 2'd3 : s + 2'd1;
            else s = s == 2'd0 ? 2'd0 : s - 2'd1;
            update_word = w;
            update_word[slot*2 +: 2] = s;
        end
    endfunction
endmodule
