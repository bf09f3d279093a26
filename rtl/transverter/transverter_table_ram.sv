// The scheduling-table window (page 1, 4 KB) as a 512 x 64-bit single-port
// SRAM with a registered read and per-half (32-bit) write enables: one factor
// row per word, as the TLM model's "64-bit wide SRAM: one clock per 8 bytes".
// A row-valid bit per word (flops, reset to 0) makes never-written or cleared
// words read as zero, so the SRAM itself needs no reset and a run can zero
// the whole window (the TLM's fill with 0 before copying the result) in one
// clock.
module transverter_table_ram #(
    parameter int ROWS = 512
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    en,       // access this clock
    input  logic [$clog2(ROWS)-1:0] addr,
    input  logic                    we_lo,    // write bits [31:0]
    input  logic                    we_hi,    // write bits [63:32]
    input  logic [63:0]             wdata,
    input  logic                    clear,    // all rows read as zero from the next clock
    output logic                    row_valid, // addr's row holds written data (combinational)
    output logic [63:0]             rdata     // the row addressed one clock earlier (zero if not valid then)
);
    logic [63:0] mem [0:ROWS-1];
    logic [ROWS-1:0] valid;
    logic [63:0] q;
    logic        q_valid;

    assign row_valid = valid[addr];

    always_ff @(posedge clk) begin
        if (en) begin
            if (we_lo) mem[addr][31:0] <= wdata[31:0];
            if (we_hi) mem[addr][63:32] <= wdata[63:32];
            q <= mem[addr];
        end
    end

    always_ff @(posedge clk or negedge rst_n) begin
        if (!rst_n) begin
            valid <= '0;
            q_valid <= 1'b0;
        end else begin
            if (en) q_valid <= valid[addr] && !clear;
            if (clear) valid <= '0;
            else if (en && (we_lo || we_hi)) valid[addr] <= 1'b1;
        end
    end

    assign rdata = q_valid ? q : 64'd0;
endmodule
