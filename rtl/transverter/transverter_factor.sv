// The factoriser of Initialization (Alg. 1 line 9): trial division, one
// divisor test per clock, with a 21-by-11-bit array divider.
//   full mode:   prime_factors(n) (ip/scheduling/operator.cpp), ascending.
//   smooth mode: is n MAX_PRIME-smooth (smooth_at_least's test)? Stops as
//                soon as a divisor above MAX_PRIME would be needed; when n is
//                smooth the list is its prime factorisation too.
// n <= 2^20 (decode's per-dim limit), so divisors stay <= 1025 and a number
// has at most 20 prime factors.
module transverter_factor (
    input  logic        clk,
    input  logic        rst_n,
    input  logic        start,       // load n (ignored while busy)
    input  logic [20:0] n,
    input  logic        smooth_mode,
    input  logic [31:0] max_prime,
    output logic        busy,
    output logic        done,        // one clock: results valid (held until the next start)
    output logic        smooth,      // smooth mode: every prime factor <= max_prime
    output logic [4:0]  count,       // primes found
    output logic [20*21-1:0] primes  // ascending, prime k in [k*21 +: 21] (flat: Yosys 0.23 reads no 2-D ports)
);
    logic [20:0] rest;
    (* mem2reg *) logic [20:0] pr [0:19];
    always_comb for (int k = 0; k < 20; k++) primes[k*21 +: 21] = pr[k];
    logic [10:0] p;
    logic        mode;

    // rest / p and rest % p: restoring array divider (21 stages of 12-bit subtract).
    logic [20:0] quo;
    logic [11:0] rem;
    always_comb begin
        logic [11:0] r;
        r = '0;
        quo = '0;
        for (int b = 20; b >= 0; b--) begin
            r = {r[10:0], rest[b]};
            if (r >= {1'b0, p}) begin
                r = r - {1'b0, p};
                quo[b] = 1'b1;
            end
        end
        rem = r;
    end

    wire [21:0] p_sq = 22'(p) * 22'(p);
    wire        stop_sqrt = p_sq > {1'b0, rest};                    // rest is 1 or a prime
    wire        stop_limit = mode && ({21'd0, p} > max_prime);      // next divisor exceeds MAX_PRIME

    always_ff @(posedge clk or negedge rst_n) begin
        if (!rst_n) begin
            busy <= 1'b0;
            done <= 1'b0;
            smooth <= 1'b0;
            count <= '0;
            rest <= '0;
            p <= '0;
            mode <= 1'b0;
            for (int k = 0; k < 20; k++) pr[k] <= '0;
        end else begin
            done <= 1'b0;
            if (!busy) begin
                if (start) begin
                    busy <= 1'b1;
                    rest <= n;
                    p <= 11'd2;
                    mode <= smooth_mode;
                    count <= '0;
                    smooth <= 1'b0;
                end
            end else if (stop_sqrt) begin
                if (rest > 21'd1) begin
                    pr[count] <= rest;
                    count <= count + 5'd1;
                end
                smooth <= (rest <= 21'd1) || ({11'd0, rest} <= max_prime);
                busy <= 1'b0;
                done <= 1'b1;
            end else if (stop_limit) begin
                smooth <= 1'b0;
                busy <= 1'b0;
                done <= 1'b1;
            end else if (rem == 12'd0) begin
                pr[count] <= {10'd0, p};
                count <= count + 5'd1;
                rest <= quo;
            end else begin
                p <= p + 11'd1;
            end
        end
    end
endmodule
